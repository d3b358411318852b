// Demo tenants and people written by `npm run seed`. The demo sign-in and tests import these.

export type DemoRole = 'admin' | 'governance' | 'member' | 'auditor'

export interface DemoOrg {
  slug: string
  name: string
}

export interface DemoUser {
  email: string
  name: string
  role: DemoRole
  orgSlug: string
  /** false for people who have left: they cannot sign in, yet may still own identities */
  active: boolean
  /** slugs of the teams the person belongs to */
  teams: string[]
}

export interface DemoTeam {
  orgSlug: string
  slug: string
  name: string
  leadEmail: string
}

export const DEMO_ORGS = {
  acme: { slug: 'acme', name: 'Acme Corp' },
  globex: { slug: 'globex', name: 'Globex Inc' },
} as const satisfies Record<string, DemoOrg>

export const DEMO_ORG_SLUGS: readonly string[] = [DEMO_ORGS.acme.slug, DEMO_ORGS.globex.slug]

/** One sign-in persona per role (plus the second tenant's people). */
export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'ada@acme.example', name: 'Ada Admin', role: 'admin', orgSlug: 'acme', active: true, teams: ['platform'] },
  { email: 'grace@acme.example', name: 'Grace Governance', role: 'governance', orgSlug: 'acme', active: true, teams: ['security'] },
  { email: 'mo@acme.example', name: 'Mo Member', role: 'member', orgSlug: 'acme', active: true, teams: ['payments'] },
  { email: 'audrey@acme.example', name: 'Audrey Auditor', role: 'auditor', orgSlug: 'acme', active: true, teams: [] },
  { email: 'gus@globex.example', name: 'Gus Globex', role: 'admin', orgSlug: 'globex', active: true, teams: ['engineering'] },
  { email: 'gina@globex.example', name: 'Gina Globex', role: 'member', orgSlug: 'globex', active: true, teams: ['engineering'] },
]

export const DEMO_ADMIN = DEMO_USERS[0]
export const DEMO_GOVERNANCE = DEMO_USERS[1]
export const DEMO_MEMBER = DEMO_USERS[2]
export const DEMO_AUDITOR = DEMO_USERS[3]
export const DEMO_GLOBEX_ADMIN = DEMO_USERS[4]
export const DEMO_GLOBEX_MEMBER = DEMO_USERS[5]

const ENGINEER_ROWS: [name: string, team: string, active?: false][] = [
  ['Priya Raman', 'platform'],
  ["Liam O'Connor", 'platform'],
  ['Sofia Martinez', 'payments'],
  ['Kenji Tanaka', 'data'],
  ['Amara Okafor', 'identity'],
  ['Lucas Schmidt', 'sre'],
  ['Chen Wei', 'ml'],
  ['Fatima Al-Sayed', 'security'],
  ['Noah Williams', 'payments'],
  ['Isabella Rossi', 'data'],
  ['Arjun Mehta', 'platform'],
  ['Emma Johansson', 'sre'],
  ['Mateo Fernández', 'payments'],
  ['Aisha Bello', 'identity'],
  ['Daniel Kim', 'ml'],
  ['Olivia Brown', 'data'],
  ['Hiroshi Sato', 'sre'],
  ['Zoé Dubois', 'security'],
  ['Ravi Patel', 'payments'],
  ['Hannah Müller', 'platform'],
  ['Tomasz Nowak', 'data', false],
  ['Mei Lin', 'ml'],
  ['Samuel Adeyemi', 'identity'],
  ['Elena Popescu', 'payments'],
  ['Jonas Berg', 'sre'],
  ['Nadia Haddad', 'security'],
  ['Ethan Clarke', 'platform', false],
  ['Yuki Nakamura', 'data'],
  ['Carlos Silva', 'payments'],
  ['Ingrid Larsen', 'identity'],
  ['Omar Farouk', 'sre'],
  ['Chloé Bernard', 'ml'],
  ['Vikram Singh', 'platform'],
  ['Lena Novak', 'data'],
  ['Diego Ramírez', 'payments'],
  ['Sara Cohen', 'security'],
  ['Marcus Johnson', 'sre'],
  ['Ana Costa', 'identity'],
  ['Felix Wagner', 'ml'],
  ['Julia Kowalski', 'platform'],
  ['Tariq Hassan', 'data'],
  ['Rosa Delgado', 'payments', false],
]

function emailOf(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
  return ascii.replace(/'/g, '').replace(/[^a-z]+/g, '.') + '@acme.example'
}

/** Acme engineers (role member) who own identities; a few have left the company (active=false). */
export const DEMO_ENGINEERS: readonly DemoUser[] = ENGINEER_ROWS.map(([name, team, active]) => ({
  email: emailOf(name),
  name,
  role: 'member',
  orgSlug: 'acme',
  active: active ?? true,
  teams: [team],
}))

export const ALL_DEMO_USERS: readonly DemoUser[] = [...DEMO_USERS, ...DEMO_ENGINEERS]

export const DEMO_TEAMS: readonly DemoTeam[] = [
  { orgSlug: 'acme', slug: 'platform', name: 'Platform', leadEmail: 'priya.raman@acme.example' },
  { orgSlug: 'acme', slug: 'payments', name: 'Payments', leadEmail: 'sofia.martinez@acme.example' },
  { orgSlug: 'acme', slug: 'data', name: 'Data', leadEmail: 'kenji.tanaka@acme.example' },
  { orgSlug: 'acme', slug: 'identity', name: 'Identity', leadEmail: 'amara.okafor@acme.example' },
  { orgSlug: 'acme', slug: 'sre', name: 'SRE', leadEmail: 'lucas.schmidt@acme.example' },
  { orgSlug: 'acme', slug: 'security', name: 'Security', leadEmail: 'fatima.al.sayed@acme.example' },
  { orgSlug: 'acme', slug: 'ml', name: 'Machine Learning', leadEmail: 'chen.wei@acme.example' },
  { orgSlug: 'globex', slug: 'engineering', name: 'Engineering', leadEmail: 'gina@globex.example' },
]
