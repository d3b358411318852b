// Deterministic demo data: the same options (seed, size, now) always give the same rows.
// Organizations, people, teams, sources and their entitlements are small and built up front;
// identities stream in batches so a million of them never sit in memory at once.
import { createHash } from 'node:crypto'
import { ENV_SHORT, RESOURCES, sourcesFor, type Environment } from './catalog'
import { ALL_DEMO_USERS, DEMO_MEMBER, DEMO_ORGS, DEMO_TEAMS } from './demo-users'
import { DAY, generateIdentity, type Batch, type OrgState, type OwnerRef, type SourceState } from './identities'
import { IdFactory, Rng } from './prng'
import type { EntitlementRow, MembershipRow, OrganizationRow, ResourceRow, SourceRow, TeamMemberRow, TeamRow, UserRow } from './rows'

export { riskScore, type Batch } from './identities'
export { COLUMNS, toValues, type TableName, type TableRows } from './rows'
export { IDENTITY_KINDS, type IdentityKind } from './catalog'

export interface DemoOptions {
  /** identities of the main demo organization (acme); globex gets max(50, identities/100) */
  identities: number
  seed?: number
  /** the moment the data is relative to; defaults to the start of the current UTC day */
  now?: number | Date
  /** salt of credential fingerprints (the app's CUSTODIAN_SECRET_SALT) */
  secretSalt?: string
  /** identities per streamed batch */
  batchSize?: number
  /** ids of demo users that already exist in the database, by email */
  userIds?: ReadonlyMap<string, string>
}

export interface DemoBase {
  organizations: OrganizationRow[]
  users: UserRow[]
  memberships: MembershipRow[]
  teams: TeamRow[]
  teamMembers: TeamMemberRow[]
  sources: SourceRow[]
  resources: ResourceRow[]
  entitlements: EntitlementRow[]
}

export interface DemoBatch extends Batch {
  orgSlug: string
  /** identities generated so far, all organizations together */
  done: number
}

export interface DemoPlan {
  base: DemoBase
  totals: { acme: number; globex: number; all: number }
  /** the identity batches; may be iterated once */
  batches(): Generator<DemoBatch>
}

/** Stable id of a demo user, so re-seeding keeps sessions and links pointing at the same person. */
export function demoUserId(email: string): string {
  return 'c' + createHash('sha256').update(`custodian-demo-user:${email}`).digest('hex').slice(0, 24)
}

/** Unique cuid-like ids from a seed (25 lower-case characters starting with "c"). */
export function idFactory(seed: number): () => string {
  const f = new IdFactory(new Rng(seed))
  return () => f.next()
}

const DEFAULT_SALT = 'custodian-development-salt-change-me'
const NONPROD: Environment[] = ['staging', 'development', 'test']

export function planDemo(opts: DemoOptions): DemoPlan {
  const n = opts.identities
  if (!Number.isInteger(n) || n < 1) throw new Error('identities must be a positive integer')
  const seed = opts.seed ?? 1
  const now = opts.now === undefined ? Math.floor(Date.now() / DAY) * DAY : +opts.now
  const salt = opts.secretSalt ?? DEFAULT_SALT
  const batchSize = opts.batchSize ?? 5000
  const r = new Rng(seed)
  const ids = new IdFactory(new Rng(seed ^ 0x5eed5eed))
  const at = (daysAgoMin: number, daysAgoMax: number) => now - r.range(daysAgoMin, daysAgoMax) * DAY - r.int(DAY)

  const base: DemoBase = { organizations: [], users: [], memberships: [], teams: [], teamMembers: [], sources: [], resources: [], entitlements: [] }
  const orgIds: Record<string, string> = {}
  for (const o of Object.values(DEMO_ORGS)) {
    orgIds[o.slug] = ids.next()
    base.organizations.push({ id: orgIds[o.slug], slug: o.slug, name: o.name, settings: '{}', auditSeq: 0, auditHash: '', createdAt: at(2250, 2300) })
  }
  const userIds = new Map<string, string>()
  for (const u of ALL_DEMO_USERS) {
    const id = opts.userIds?.get(u.email) ?? demoUserId(u.email)
    userIds.set(u.email, id)
    // Seeded people are demo personas: the demo sign-in accepts them (and nobody else).
    base.users.push({ id, email: u.email, name: u.name, active: u.active, demo: true, createdAt: at(30, 2000) })
    base.memberships.push({ id: ids.next(), orgId: orgIds[u.orgSlug], userId: id, role: u.role, status: 'active', createdAt: at(30, 2000) })
  }
  const teamIds = new Map<string, string>()
  for (const t of DEMO_TEAMS) {
    const id = ids.next()
    teamIds.set(`${t.orgSlug}/${t.slug}`, id)
    base.teams.push({ id, orgId: orgIds[t.orgSlug], slug: t.slug, name: t.name, leadId: userIds.get(t.leadEmail) ?? null, createdAt: at(400, 2000) })
  }
  for (const u of ALL_DEMO_USERS) {
    for (const t of u.teams) base.teamMembers.push({ teamId: teamIds.get(`${u.orgSlug}/${t}`)!, userId: userIds.get(u.email)! })
  }

  const owner = (email: string): OwnerRef => {
    const u = ALL_DEMO_USERS.find((x) => x.email === email)!
    const slug = u.teams[0] ?? null
    return { id: userIds.get(email)!, email, teamId: slug ? teamIds.get(`${u.orgSlug}/${slug}`)! : null, teamSlug: slug }
  }
  const orgState = (slug: string, total: number): OrgState => {
    const sources = buildSources(r, ids, base, orgIds[slug], slug, total, now)
    const sourcesByEnv = {} as OrgState['sourcesByEnv']
    for (const env of ['production', 'staging', 'development', 'test', 'unknown'] as Environment[]) {
      sourcesByEnv[env] = sources
        .filter((s) => (env === 'unknown' ? !s.def.envScope : !s.def.envScope || s.def.envScope === (env === 'production' ? 'production' : 'nonprod')))
        .map((s) => [s, s.def.weight] as const)
    }
    const people = ALL_DEMO_USERS.filter((u) => u.orgSlug === slug && (u.role === 'member' || u.role === 'admin'))
    const featured = slug === 'acme' ? owner(DEMO_MEMBER.email) : null
    const ownerPool: OwnerRef[] = []
    people
      .filter((u) => u.email !== featured?.email)
      .forEach((u, rank) => {
        // a few prolific owners, a long tail; people who left still own some identities (improper offboarding)
        const weight = u.role === 'admin' ? 2 : Math.max(1, Math.round((u.active ? 40 : 8) / Math.pow(rank + 1, 0.6)))
        for (let k = 0; k < weight; k++) ownerPool.push(owner(u.email))
      })
    const featuredTarget = featured ? Math.min(Math.max(20, Math.min(2000, Math.round(total * 0.01))), Math.floor(total * 0.45)) : 0
    return {
      orgId: orgIds[slug],
      total,
      sourcesByEnv,
      ownerPool,
      featured,
      featuredTarget,
      pOwned: Math.max(0, (0.45 * total - featuredTarget) / Math.max(1, total - featuredTarget)),
      creators: people.map((u) => u.email),
      teams: DEMO_TEAMS.filter((t) => t.orgSlug === slug).map((t) => ({ id: teamIds.get(`${slug}/${t.slug}`)!, slug: t.slug })),
      sharedSecrets: [],
    }
  }
  const totals = { acme: n, globex: Math.max(50, Math.round(n / 100)), all: 0 }
  totals.all = totals.acme + totals.globex
  const orgs = [
    ['acme', orgState('acme', totals.acme)],
    ['globex', orgState('globex', totals.globex)],
  ] as const

  let started = false
  function* batches(): Generator<DemoBatch> {
    if (started) throw new Error('planDemo(...).batches() can be iterated only once')
    started = true
    let done = 0
    for (const [orgSlug, org] of orgs) {
      for (let start = 0; start < org.total; start += batchSize) {
        const out: Batch = { identities: [], credentials: [], grants: [], tags: [], activities: [] }
        const end = Math.min(org.total, start + batchSize)
        for (let i = start; i < end; i++) generateIdentity(r, ids, org, i, now, salt, out)
        done += end - start
        yield { ...out, orgSlug, done }
      }
    }
  }
  return { base, totals, batches }
}

function buildSources(r: Rng, ids: IdFactory, base: DemoBase, orgId: string, slug: string, total: number, now: number): SourceState[] {
  const perSource = Math.max(12, Math.min(400, Math.round(12 + Math.sqrt(total) / 3)))
  return sourcesFor(slug).map((def) => {
    const connectedAt = now - r.range(200, 700) * DAY
    const state: SourceState = { def, id: ids.next(), connectedAt, counter: 0, names: new Map(), normal: [], priv: [] }
    base.sources.push({
      id: state.id,
      orgId,
      name: def.name,
      type: def.type,
      config: JSON.stringify({ ...def.config, simulated: true }),
      secretRef: null,
      status: 'active',
      syncSchedule: def.type === 'postgresql' ? null : '0 */6 * * *',
      lastSyncAt: now - r.range(5, 360) * 60_000,
      lastSyncStatus: 'succeeded',
      lastSyncError: null,
      createdAt: connectedAt,
    })
    const templates = RESOURCES[def.type]
    const scalable = templates.filter((t) => !t.singleton)
    const names = new Map<string, number>()
    for (let k = 0; k < perSource; k++) {
      const t = k < templates.length && templates[k].singleton ? templates[k] : r.pick(scalable)
      const env: Environment =
        def.envScope === 'production'
          ? 'production'
          : def.envScope === 'nonprod'
            ? r.pick(NONPROD)
            : r.weighted([
                ['production', 5],
                ['staging', 2],
                ['development', 2],
                ['unknown', 1],
              ])
      const raw = t.name(r, def.tag, ENV_SHORT[env] || 'shared')
      const seen = names.get(raw) ?? 0
      names.set(raw, seen + 1)
      const name = seen ? `${raw}-${seen + 1}` : raw
      const resourceId = ids.next()
      const createdAt = connectedAt - r.range(0, 1500) * DAY
      base.resources.push({ id: resourceId, orgId, sourceId: state.id, externalId: t.ext(name, def.tag), name, type: t.type, environment: env, createdAt })
      const ents = t.singleton
        ? [...t.ents]
        : shuffle(r, [...t.ents]).slice(
            0,
            r.weighted([
              [1, 15],
              [2, 30],
              [3, 35],
              [4, 20],
            ]),
          )
      for (const [entName, privileged] of ents) {
        const id = ids.next()
        base.entitlements.push({
          id,
          orgId,
          sourceId: state.id,
          resourceId,
          externalId: entName,
          name: entName,
          description: privileged ? `Privileged: ${entName} on ${name}` : null,
          privileged,
          createdAt,
        })
        ;(privileged ? state.priv : state.normal).push({ id, privileged })
      }
    }
    return state
  })
}

function shuffle<T>(r: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(i + 1)
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}
