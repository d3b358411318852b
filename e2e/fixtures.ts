import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test'
import Database from 'better-sqlite3'
import pg from 'pg'

// The same database the server under test uses (scripts/test.sh sets DATABASE_URL for both).
const url = process.env.DATABASE_URL ?? `file:${path.resolve('data/custodian.db')}`

type Row = Record<string, string | number | boolean | Date | null>

async function insert(table: string, rows: Row[]) {
  if (rows.length === 0) return
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length))
    const stmt = db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`)
    const tx = db.transaction((rs: Row[]) => {
      for (const r of rs) stmt.run(cols.map((c) => { const v = r[c] ?? null; return v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v }))
    })
    tx(rows)
    db.close()
    return
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (const r of rows) {
      await client.query(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`, cols.map((c) => r[c] ?? null))
    }
  } finally {
    await client.end()
  }
}

const id = () => `e2e${randomBytes(10).toString('hex')}`

export type TestOrg = {
  slug: string
  name: string
  users: Record<'admin' | 'governance' | 'member' | 'auditor', { id: string; email: string; name: string }>
  identities: { id: string; name: string }[]
}

/** A fresh organization with one person per role and a few identities, written straight to the database. */
export async function createTestOrg(
  opts: {
    identities?: number
    /** Column overrides per identity (e.g. name, metadata, backupOwnerId), given the org's people. */
    identity?: (i: number, users: TestOrg['users']) => Record<string, Row[string] | undefined> | undefined
    /** false: the people are ordinary (non-demo) people, whom the demo sign-in must refuse */
    demo?: boolean
  } = {},
): Promise<TestOrg> {
  const now = new Date()
  const suffix = randomBytes(3).toString('hex')
  const orgId = id()
  const slug = `e2e-${suffix}`
  const name = `E2E ${suffix}`
  await insert('Organization', [{ id: orgId, slug, name, settings: '{}', auditSeq: 0, auditHash: '', createdAt: now }])
  const users = {} as TestOrg['users']
  for (const role of ['admin', 'governance', 'member', 'auditor'] as const) {
    const u = { id: id(), email: `${role}.${suffix}@e2e.example`, name: `${role[0].toUpperCase()}${role.slice(1)} ${suffix}` }
    users[role] = u
    // The spec's personas, signed in through the demo provider, which accepts only people marked demo.
    await insert('User', [{ id: u.id, email: u.email, name: u.name, active: true, demo: opts.demo ?? true, createdAt: now }])
    await insert('Membership', [{ id: id(), orgId, userId: u.id, role, status: 'active', createdAt: now }])
  }
  const sourceId = id()
  await insert('Source', [{ id: sourceId, orgId, name: 'GitHub e2e', type: 'github', config: '{"simulated":true}', status: 'active', createdAt: now }])
  const identities: TestOrg['identities'] = []
  const rows: Row[] = []
  const n = opts.identities ?? 3
  for (let i = 0; i < n; i++) {
    const ident = { id: id(), name: `e2e-bot-${String(i).padStart(3, '0')}` }
    identities.push(ident)
    rows.push({
      id: ident.id, orgId, sourceId, externalId: `ext-${ident.id}`, name: ident.name, searchText: ident.name, kind: i % 2 ? 'bot' : 'api_key',
      environment: 'production', status: 'active', createdAt: now, discoveredAt: now, updatedAt: now, metadata: '{}',
      privileged: false, grantCount: 0, credentialCount: 0, riskScore: i, openFindings: 0, ownerId: i === 0 ? users.member.id : null,
    })
    const row = rows[rows.length - 1]
    for (const [k, v] of Object.entries(opts.identity?.(i, users) ?? {})) if (v !== undefined) row[k] = v
    if (typeof row.name === 'string' && row.name !== ident.name) {
      ident.name = row.name
      row.searchText = row.name.toLowerCase()
    }
  }
  await insert('Identity', rows)
  return { slug, name, users, identities }
}

/** Signs in through Auth.js's demo credentials endpoint (only the sign-in spec drives the form). */
export async function signInAs(request: APIRequestContext, email: string) {
  const csrf = await (await request.get('/api/auth/csrf')).json()
  const res = await request.post('/api/auth/callback/demo', {
    form: { email, csrfToken: csrf.csrfToken, callbackUrl: '/' },
    maxRedirects: 0,
  })
  expect([200, 302]).toContain(res.status())
  const session = await (await request.get('/api/auth/session')).json()
  expect(session?.user?.email).toBe(email)
}

export async function gotoAs(page: Page, email: string, path: string) {
  await signInAs(page.request, email)
  await page.goto(path)
}

export const test = base
export { expect }
