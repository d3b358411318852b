import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DEMO_MEMBER, ALL_DEMO_USERS } from './demo-users'
import { IDENTITY_KINDS, planDemo, riskScore, type DemoBase, type DemoBatch, type DemoOptions } from './generate'

const NOW = Date.UTC(2026, 10, 1)
const DAY = 86_400_000

function collect(opts: DemoOptions): { base: DemoBase; batches: DemoBatch[] } {
  const plan = planDemo({ now: NOW, ...opts })
  return { base: plan.base, batches: [...plan.batches()] }
}

function digest(data: unknown): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex')
}

const big = collect({ identities: 20_000, seed: 42, batchSize: 3000 })
const acmeId = big.base.organizations.find((o) => o.slug === 'acme')!.id
const all = <K extends keyof DemoBatch>(key: K) => big.batches.flatMap((b) => b[key] as unknown[]) as DemoBatch[K]
const identities = all('identities')
const acme = identities.filter((i) => i.orgId === acmeId)
const credentials = all('credentials')
const grants = all('grants')
const share = (pred: (i: (typeof acme)[number]) => boolean) => acme.filter(pred).length / acme.length

describe('planDemo determinism', () => {
  it('gives identical rows for the same seed and different rows for another seed', () => {
    const a = collect({ identities: 2000, seed: 7 })
    const b = collect({ identities: 2000, seed: 7 })
    const c = collect({ identities: 2000, seed: 8 })
    expect(digest(a)).toBe(digest(b))
    expect(digest(a.batches)).not.toBe(digest(c.batches))
    expect(a.batches[0].identities[0].name).toBe(b.batches[0].identities[0].name)
  })

  it('does not depend on the batch size', () => {
    const a = collect({ identities: 1500, seed: 3, batchSize: 100 })
    const b = collect({ identities: 1500, seed: 3, batchSize: 1000 })
    expect(digest(a.batches.flatMap((x) => x.identities))).toBe(digest(b.batches.flatMap((x) => x.identities)))
  })

  it('streams batches no larger than the batch size and counts progress', () => {
    expect(big.batches.every((b) => b.identities.length <= 3000)).toBe(true)
    expect(big.batches.at(-1)!.done).toBe(20_000 + 200)
  })
})

describe('demo data shape', () => {
  it('writes acme with N identities and globex with max(50, N/100)', () => {
    expect(acme.length).toBe(20_000)
    expect(identities.length - acme.length).toBe(200)
    expect(collect({ identities: 10, seed: 1 }).batches.flatMap((b) => b.identities).length).toBe(60)
  })

  it('keeps the shares of unowned, dormant, privileged and production identities realistic', () => {
    expect(share((i) => i.ownerId === null)).toBeGreaterThan(0.5)
    expect(share((i) => i.ownerId === null)).toBeLessThan(0.6)
    expect(share((i) => i.lastUsedAt === null)).toBeGreaterThan(0.05)
    expect(share((i) => i.lastUsedAt === null)).toBeLessThan(0.11)
    const dormant = share((i) => i.lastUsedAt !== null && i.lastUsedAt < NOW - 90 * DAY)
    expect(dormant).toBeGreaterThan(0.15)
    expect(dormant).toBeLessThan(0.25)
    expect(share((i) => i.privileged)).toBeGreaterThan(0.11)
    expect(share((i) => i.privileged)).toBeLessThan(0.19)
    expect(share((i) => i.environment === 'production')).toBeGreaterThan(0.4)
    expect(share((i) => i.environment === 'production')).toBeLessThan(0.5)
    expect(share((i) => i.status === 'disabled')).toBeGreaterThan(0.03)
    expect(share((i) => i.status === 'deleted')).toBeGreaterThan(0.004)
    expect(share((i) => i.status === 'deleted')).toBeLessThan(0.02)
  })

  it('has every identity kind', () => {
    const kinds = new Set(acme.map((i) => i.kind))
    for (const k of IDENTITY_KINDS) expect(kinds).toContain(k)
    expect(new Set(collect({ identities: 3000, seed: 1 }).batches.flatMap((b) => b.identities.map((i) => i.kind))).size).toBe(IDENTITY_KINDS.length)
  })

  it('averages about 5 grants and 1.3 credentials per identity', () => {
    expect(grants.length / identities.length).toBeGreaterThan(4.5)
    expect(grants.length / identities.length).toBeLessThan(5.5)
    expect(credentials.length / identities.length).toBeGreaterThan(1.1)
    expect(credentials.length / identities.length).toBeLessThan(1.5)
  })

  it('gives Mo Member about 1% of acme, at least 20', () => {
    const mo = ALL_DEMO_USERS.find((u) => u.email === DEMO_MEMBER.email)!
    const moId = big.base.users.find((u) => u.email === mo.email)!.id
    expect(acme.filter((i) => i.ownerId === moId).length).toBe(200)
    const small = collect({ identities: 500, seed: 1 })
    const smallMo = small.base.users.find((u) => u.email === mo.email)!.id
    expect(small.batches.flatMap((b) => b.identities).filter((i) => i.ownerId === smallMo).length).toBe(20)
  })

  it('hints at owners in the metadata of some unowned identities', () => {
    const emails = new Set(ALL_DEMO_USERS.map((u) => u.email))
    const unowned = acme.filter((i) => !i.ownerId)
    const withCreator = unowned.filter((i) => emails.has(JSON.parse(i.metadata).creator)).length / unowned.length
    expect(withCreator).toBeGreaterThan(0.12)
    expect(withCreator).toBeLessThan(0.2)
  })

  it('reuses a few secrets across identities', () => {
    const holders = new Map<string, Set<string>>()
    for (const c of credentials) holders.set(c.fingerprint, (holders.get(c.fingerprint) ?? new Set()).add(c.identityId))
    const shared = [...holders.values()].filter((s) => s.size > 1)
    expect(shared.length).toBeGreaterThan(20)
    expect(shared.length / credentials.length).toBeLessThan(0.01)
    expect(credentials.every((c) => /^[0-9a-f]{64}$/.test(c.fingerprint))).toBe(true)
  })
})

describe('integrity by construction (the SQLite load skips foreign key checks)', () => {
  const b = big.base
  const rows = [...Object.values(b).flat(), ...identities, ...credentials, ...grants, ...all('tags'), ...all('activities')] as { id?: string }[]

  it('gives every row a unique cuid-like id', () => {
    const ids = rows.map((r) => r.id).filter((x): x is string => !!x)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => /^c[0-9a-z]{24}$/.test(id))).toBe(true)
  })

  it('keeps wildcard permissions whole (s3:*, kms:*), privileged, and no marker in any name', () => {
    const names = new Map(b.entitlements.map((e) => [e.name, e.privileged]))
    expect(names.get('s3:*')).toBe(true)
    expect(names.get('kms:*')).toBe(true)
    expect([...names.keys()].filter((n) => n.endsWith(':') || n.includes('!'))).toEqual([])
    expect(names.get('AdministratorAccess')).toBe(true)
    expect(names.get('ReadOnlyAccess')).toBe(false)
  })

  it('keeps the unique keys of the schema', () => {
    const unique = (keys: string[]) => expect(new Set(keys).size).toBe(keys.length)
    unique(identities.map((i) => `${i.sourceId} ${i.externalId}`))
    unique(grants.map((g) => `${g.identityId} ${g.entitlementId}`))
    unique(all('tags').map((t) => `${t.identityId} ${t.key}`))
    unique(b.resources.map((r) => `${r.sourceId} ${r.externalId}`))
    unique(b.entitlements.map((e) => `${e.resourceId} ${e.externalId}`))
    unique(b.sources.map((s) => `${s.orgId} ${s.name}`))
    unique(b.teams.map((t) => `${t.orgId} ${t.slug}`))
    unique(b.memberships.map((m) => `${m.orgId} ${m.userId}`))
    unique(b.users.map((u) => u.email))
  })

  it('references only rows it wrote, in the same organization and source', () => {
    const byId = new Map(identities.map((i) => [i.id, i]))
    const ents = new Map(b.entitlements.map((e) => [e.id, e]))
    const users = new Set(b.users.map((u) => u.id))
    const teams = new Map(b.teams.map((t) => [t.id, t]))
    const sources = new Map(b.sources.map((s) => [s.id, s]))
    const bad: string[] = []
    for (const i of identities) {
      if (sources.get(i.sourceId)?.orgId !== i.orgId) bad.push(`identity ${i.id} source`)
      for (const u of [i.ownerId, i.backupOwnerId]) if (u && !users.has(u)) bad.push(`identity ${i.id} user`)
      if (i.teamId && teams.get(i.teamId)?.orgId !== i.orgId) bad.push(`identity ${i.id} team`)
    }
    for (const g of grants) {
      const i = byId.get(g.identityId)
      const e = ents.get(g.entitlementId)
      if (!i || !e || e.sourceId !== i.sourceId || g.orgId !== i.orgId || g.privileged !== e.privileged) bad.push(`grant ${g.id}`)
    }
    for (const c of [...credentials, ...all('tags'), ...all('activities')]) {
      if (byId.get(c.identityId)?.orgId !== c.orgId) bad.push(`child ${c.id}`)
    }
    expect(bad).toEqual([])
  })

  it('keeps the denormalized identity columns consistent with the rows', () => {
    const groupBy = <T extends { identityId: string }>(rows: T[]) => {
      const m = new Map<string, T[]>()
      for (const r of rows) {
        const list = m.get(r.identityId)
        if (list) list.push(r)
        else m.set(r.identityId, [r])
      }
      return m
    }
    const grantsOf = groupBy(grants)
    const credsOf = groupBy(credentials)
    const bad: string[] = []
    for (const i of identities) {
      const gs = grantsOf.get(i.id) ?? []
      const cs = credsOf.get(i.id) ?? []
      const active = cs.filter((c) => c.status === 'active').map((c) => c.lastRotatedAt ?? c.createdAt)
      const expected = {
        grantCount: gs.length,
        credentialCount: cs.length,
        privileged: gs.some((g) => g.privileged && g.status === 'active'),
        oldestSecretAt: active.length ? Math.min(...active) : null,
        riskScore: riskScore(i, NOW),
        searchText: `${i.name} ${i.externalId}`.toLowerCase(),
      }
      for (const [k, v] of Object.entries(expected)) if (i[k as keyof typeof expected] !== v) bad.push(`${i.id} ${k}`)
      if (i.lastUsedAt !== null && i.lastUsedAt < i.createdAt) bad.push(`${i.id} lastUsedAt`)
      for (const x of [...gs, ...cs]) {
        if (x.createdAt < i.createdAt) bad.push(`${x.id} created before its identity`)
        if (x.lastUsedAt !== null && (x.lastUsedAt < x.createdAt || i.lastUsedAt === null || x.lastUsedAt > i.lastUsedAt)) bad.push(`${x.id} lastUsedAt`)
      }
    }
    expect(bad).toEqual([])
  })
})

describe('riskScore', () => {
  it('adds up the signals and caps at 100', () => {
    const old = NOW - 400 * DAY
    expect(riskScore({ ownerId: 'u', privileged: false, lastUsedAt: NOW, createdAt: old, oldestSecretAt: null, environment: 'test' }, NOW)).toBe(0)
    expect(riskScore({ ownerId: null, privileged: true, lastUsedAt: null, createdAt: old, oldestSecretAt: old, environment: 'production' }, NOW)).toBe(100)
    expect(
      riskScore({ ownerId: null, privileged: false, lastUsedAt: NOW - 100 * DAY, createdAt: old, oldestSecretAt: null, environment: 'staging' }, NOW),
    ).toBe(50)
  })
})
