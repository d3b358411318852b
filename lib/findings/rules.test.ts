import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it } from 'vitest'
import { recomputeIdentities, recomputeOrg } from '@/lib/findings/engine'
import { RULES } from '@/lib/findings/rules'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { sqliteSql, type DriverSql } from '@/lib/sql/driver'
import { dbValue } from '@/lib/sql/sql'

// Each rule runs as the real SQL against an in-memory SQLite database built from the committed migrations.
const DAY = 86_400_000
const NOW = Date.UTC(2026, 5, 1)
const MIGRATIONS = path.resolve(import.meta.dirname, '../../prisma/migrations/sqlite')

function memoryDb() {
  const db = new Database(':memory:')
  for (const dir of fs.readdirSync(MIGRATIONS).sort()) {
    const file = path.join(MIGRATIONS, dir, 'migration.sql')
    if (fs.existsSync(file)) db.exec(fs.readFileSync(file, 'utf8'))
  }
  return { db, s: sqliteSql(db) }
}

let db: Database.Database
let s: DriverSql
let n = 0
const settings = parseOrgSettings('{}')

function insert(table: string, row: Record<string, unknown>) {
  const cols = Object.keys(row)
  const vals = cols.map((c) => dbValue(row[c], 'sqlite'))
  db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map(() => '?').join(',')})`).run(...vals)
}

beforeEach(() => {
  ;({ db, s } = memoryDb())
  insert('Organization', { id: 'org', slug: 'org', name: 'Org' })
  insert('User', { id: 'alice', email: 'alice@x', name: 'Alice', active: true })
  insert('User', { id: 'bob', email: 'bob@x', name: 'Bob', active: false })
  insert('Membership', { id: 'm1', orgId: 'org', userId: 'alice', role: 'member' })
  insert('Membership', { id: 'm2', orgId: 'org', userId: 'bob', role: 'member' })
  insert('Source', { id: 'aws', orgId: 'org', name: 'AWS', type: 'aws' })
  insert('Source', { id: 'csv', orgId: 'org', name: 'CSV', type: 'csv' })
  insert('Resource', { id: 'r1', orgId: 'org', sourceId: 'aws', externalId: 'acct', name: 'acct', type: 'account' })
  insert('Entitlement', { id: 'e-admin', orgId: 'org', sourceId: 'aws', resourceId: 'r1', externalId: 'a', name: 'AdministratorAccess', privileged: true })
  insert('Entitlement', { id: 'e-star', orgId: 'org', sourceId: 'aws', resourceId: 'r1', externalId: 's', name: 's3:*', privileged: true })
  insert('Entitlement', { id: 'e-read', orgId: 'org', sourceId: 'aws', resourceId: 'r1', externalId: 'r', name: 'ReadOnlyAccess', privileged: false })
  insert('Entitlement', { id: 'e-priv', orgId: 'org', sourceId: 'aws', resourceId: 'r1', externalId: 'p', name: 'iam:PassRole', privileged: true })
})

type IdentityOpts = Partial<{
  ownerId: string | null
  kind: string
  environment: string
  status: string
  sourceId: string
  lastUsedDaysAgo: number | null
  privileged: boolean
  usageReported: boolean
  externalId: string
}>

/** A well-kept identity: owned, recently used, no credentials or grants. Each test adds the one problem it checks. */
function identity(o: IdentityOpts = {}) {
  const id = `id${String(++n).padStart(4, '0')}`
  insert('Identity', {
    id,
    orgId: 'org',
    sourceId: o.sourceId ?? 'csv',
    externalId: o.externalId ?? id,
    name: id,
    searchText: id,
    kind: o.kind ?? 'service_account',
    environment: o.environment ?? 'production',
    status: o.status ?? 'active',
    createdAt: NOW - 400 * DAY,
    updatedAt: NOW,
    lastUsedAt: o.lastUsedDaysAgo === null ? null : NOW - (o.lastUsedDaysAgo ?? 1) * DAY,
    ownerId: o.ownerId === undefined ? 'alice' : o.ownerId,
    privileged: o.privileged ?? false,
    usageReported: o.usageReported ?? true,
  })
  return id
}
function credential(
  identityId: string,
  o: Partial<{
    kind: string
    ageDays: number
    rotatedDaysAgo: number | null
    expires: boolean
    usedDaysAgo: number | null
    fingerprint: string
    status: string
    usageReported: boolean
  }> = {},
) {
  insert('Credential', {
    id: `c${++n}`,
    orgId: 'org',
    identityId,
    kind: o.kind ?? 'token',
    fingerprint: o.fingerprint ?? `fp${n}`,
    createdAt: NOW - (o.ageDays ?? 10) * DAY,
    lastRotatedAt: o.rotatedDaysAgo == null ? null : NOW - o.rotatedDaysAgo * DAY,
    expiresAt: o.expires === false ? null : NOW + 30 * DAY,
    lastUsedAt: o.usedDaysAgo === null ? null : NOW - (o.usedDaysAgo ?? 1) * DAY,
    status: o.status ?? 'active',
    usageReported: o.usageReported ?? true,
  })
}
function grant(identityId: string, entitlementId: string, o: Partial<{ privileged: boolean; usedDaysAgo: number | null; usageReported: boolean }> = {}) {
  insert('Grant', {
    id: `g${++n}`,
    orgId: 'org',
    identityId,
    entitlementId,
    privileged: o.privileged ?? false,
    createdAt: NOW - 300 * DAY,
    lastUsedAt: o.usedDaysAgo === null ? null : NOW - (o.usedDaysAgo ?? 1) * DAY,
    usageReported: o.usageReported ?? true,
  })
}
function event(identityId: string, kind: string, daysAgo: number) {
  insert('ActivityEvent', { id: `a${++n}`, orgId: 'org', identityId, at: NOW - daysAgo * DAY, kind })
}
async function openRules(identityId: string) {
  await recomputeOrg(s, 'org', settings, { now: NOW })
  return (db.prepare(`SELECT "rule" FROM "Finding" WHERE "identityId" = ? AND "status" = 'open' ORDER BY "rule"`).all(identityId) as { rule: string }[]).map(
    (r) => r.rule,
  )
}

describe('findings rules (one case that raises, one that must not)', () => {
  it('a well-kept identity raises nothing', async () => {
    const id = identity()
    credential(id)
    grant(id, 'e-read')
    expect(await openRules(id)).toEqual([])
  })

  it('unowned (NHI1)', async () => {
    const bad = identity({ ownerId: null })
    const good = identity()
    expect(await openRules(bad)).toContain('unowned')
    expect(await openRules(good)).not.toContain('unowned')
  })

  it('owner-gone (NHI1): owner deactivated or no longer a member', async () => {
    const bad = identity({ ownerId: 'bob' })
    const good = identity({ ownerId: 'alice' })
    expect(await openRules(bad)).toContain('owner-gone')
    expect(await openRules(good)).not.toContain('owner-gone')
  })

  it('dormant (NHI1): active but unused past the threshold', async () => {
    const bad = identity({ lastUsedDaysAgo: settings.dormantDays + 5 })
    const disabled = identity({ lastUsedDaysAgo: settings.dormantDays + 5, status: 'disabled' })
    const good = identity({ lastUsedDaysAgo: settings.dormantDays - 5 })
    expect(await openRules(bad)).toContain('dormant')
    expect(await openRules(disabled)).not.toContain('dormant')
    expect(await openRules(good)).not.toContain('dormant')
  })

  it('unused-cred (NHI1)', async () => {
    const bad = identity()
    credential(bad, { ageDays: 200, usedDaysAgo: null })
    const good = identity()
    credential(good, { ageDays: 200, usedDaysAgo: 3 })
    expect(await openRules(bad)).toContain('unused-cred')
    expect(await openRules(good)).not.toContain('unused-cred')
  })

  it('auth-failures (NHI2): failed attempts in the last 30 days', async () => {
    const bad = identity()
    event(bad, 'auth_failure', 2)
    const good = identity()
    event(good, 'auth_failure', 45)
    event(good, 'auth_success', 1)
    expect(await openRules(bad)).toContain('auth-failures')
    expect(await openRules(good)).not.toContain('auth-failures')
  })

  it('third-party (NHI3): OAuth app with privileged grants', async () => {
    const bad = identity({ kind: 'oauth_app' })
    grant(bad, 'e-priv', { privileged: true })
    const good = identity({ kind: 'oauth_app' })
    grant(good, 'e-read')
    expect(await openRules(bad)).toContain('third-party')
    expect(await openRules(good)).not.toContain('third-party')
  })

  it('static-auth (NHI4): static key on a platform with federation', async () => {
    const bad = identity({ sourceId: 'aws' })
    credential(bad, { kind: 'access_key' })
    const noFederation = identity({ sourceId: 'csv' })
    credential(noFederation, { kind: 'access_key' })
    const good = identity({ sourceId: 'aws' })
    credential(good, { kind: 'token' })
    expect(await openRules(bad)).toContain('static-auth')
    expect(await openRules(noFederation)).not.toContain('static-auth')
    expect(await openRules(good)).not.toContain('static-auth')
  })

  it('unused-priv (NHI5): privileged grant unused past the threshold', async () => {
    const bad = identity()
    grant(bad, 'e-priv', { privileged: true, usedDaysAgo: settings.privilegedUnusedDays + 1 })
    const good = identity()
    grant(good, 'e-priv', { privileged: true, usedDaysAgo: 2 })
    expect(await openRules(bad)).toContain('unused-priv')
    expect(await openRules(good)).not.toContain('unused-priv')
  })

  it('admin-grant (NHI5): admin role or wildcard', async () => {
    const admin = identity()
    grant(admin, 'e-admin', { privileged: true })
    const star = identity()
    grant(star, 'e-star', { privileged: true })
    const good = identity()
    grant(good, 'e-read')
    expect(await openRules(admin)).toContain('admin-grant')
    expect(await openRules(star)).toContain('admin-grant')
    expect(await openRules(good)).not.toContain('admin-grant')
  })

  it('old-secret (NHI7): not rotated within the rotation limit', async () => {
    const bad = identity()
    credential(bad, { ageDays: settings.rotationMaxDays + 10 })
    const rotated = identity()
    credential(rotated, { ageDays: settings.rotationMaxDays + 10, rotatedDaysAgo: 5 })
    expect(await openRules(bad)).toContain('old-secret')
    expect(await openRules(rotated)).not.toContain('old-secret')
  })

  it('no-expiry (NHI7)', async () => {
    const bad = identity()
    credential(bad, { expires: false })
    const cert = identity()
    credential(cert, { kind: 'certificate', expires: false })
    const good = identity()
    credential(good)
    expect(await openRules(bad)).toContain('no-expiry')
    expect(await openRules(cert)).not.toContain('no-expiry')
    expect(await openRules(good)).not.toContain('no-expiry')
  })

  it('env-mix (NHI8): one fingerprint in production and non-production', async () => {
    const prod = identity({ environment: 'production' })
    const dev = identity({ environment: 'development' })
    credential(prod, { fingerprint: 'same' })
    credential(dev, { fingerprint: 'same' })
    const prod2 = identity({ environment: 'production' })
    const prod3 = identity({ environment: 'production' })
    credential(prod2, { fingerprint: 'prod-only' })
    credential(prod3, { fingerprint: 'prod-only' })
    expect(await openRules(prod)).toContain('env-mix')
    expect(await openRules(dev)).toContain('env-mix')
    expect(await openRules(prod2)).not.toContain('env-mix')
  })

  it('shared-secret (NHI9): one credential on several identities', async () => {
    const a = identity()
    const b = identity()
    credential(a, { fingerprint: 'shared' })
    credential(b, { fingerprint: 'shared' })
    const c = identity()
    const d = identity()
    credential(c, { fingerprint: 'was-shared' })
    credential(d, { fingerprint: 'was-shared', status: 'revoked' })
    expect(await openRules(a)).toContain('shared-secret')
    expect(await openRules(c)).not.toContain('shared-secret')
  })

  it('unknown is not never: no dormancy or unused finding where the source does not report usage', async () => {
    const neverUsed = identity({ lastUsedDaysAgo: null })
    const unknown = identity({ lastUsedDaysAgo: null, usageReported: false })
    credential(neverUsed, { ageDays: 200, usedDaysAgo: null })
    credential(unknown, { ageDays: 200, usedDaysAgo: null, usageReported: false })
    grant(neverUsed, 'e-priv', { privileged: true, usedDaysAgo: null })
    grant(unknown, 'e-priv', { privileged: true, usedDaysAgo: null, usageReported: false })
    expect(await openRules(neverUsed)).toEqual(expect.arrayContaining(['dormant', 'unused-cred', 'unused-priv']))
    const found = await openRules(unknown)
    for (const rule of ['dormant', 'unused-cred', 'unused-priv']) expect(found).not.toContain(rule)
  })

  it('root-account (NHI5) and root-access-key (NHI7): the AWS root user is critical, worse with an access key; unused is how it should be', async () => {
    const root = identity({
      sourceId: 'aws',
      externalId: 'arn:aws:iam::123456789012:root',
      kind: 'other',
      ownerId: null,
      lastUsedDaysAgo: 400,
      privileged: true,
    })
    grant(root, 'e-priv', { privileged: true, usedDaysAgo: 400 })
    const rootWithKey = identity({ sourceId: 'aws', externalId: 'arn:aws-us-gov:iam::210987654321:root', kind: 'other', ownerId: null })
    credential(rootWithKey, { kind: 'access_key', ageDays: 30 })
    const userNamedRoot = identity({ sourceId: 'aws', externalId: 'arn:aws:iam::123456789012:user/root' })
    expect(await openRules(root)).toEqual(['root-account', 'unowned'])
    expect(await openRules(rootWithKey)).toEqual(expect.arrayContaining(['root-account', 'root-access-key']))
    expect(await openRules(userNamedRoot)).toEqual([])
    const rows = db
      .prepare(`SELECT "rule", "severity", "owaspCode" FROM "Finding" WHERE "identityId" IN (?, ?) AND "rule" LIKE 'root-%' ORDER BY "identityId", "rule"`)
      .all(root, rootWithKey)
    expect(rows).toEqual([
      { rule: 'root-account', severity: 'critical', owaspCode: 'NHI5' },
      { rule: 'root-access-key', severity: 'critical', owaspCode: 'NHI7' },
      { rule: 'root-account', severity: 'critical', owaspCode: 'NHI5' },
    ])
    const score = (id: string) => (db.prepare(`SELECT "riskScore" FROM "Identity" WHERE "id" = ?`).get(id) as { riskScore: number }).riskScore
    // Unowned, the root user is critical twice over: nobody answers for it.
    expect(score(root)).toBe(40 + 40)
    expect(score(rootWithKey)).toBeGreaterThanOrEqual(70)
  })

  it('gateway-unused-access (NHI5): a gateway rule granted long ago whose route the identity did not call in the window', async () => {
    insert('Source', { id: 'gw', orgId: 'org', name: 'Custodian gateway', type: 'gateway' })
    insert('Resource', { id: 'r-gw', orgId: 'org', sourceId: 'gw', externalId: 'route1', name: 'Orders', type: 'gateway_route' })
    insert('GatewayRoute', {
      id: 'route1',
      orgId: 'org',
      name: 'Orders',
      pathPrefix: '/orders',
      upstreamUrl: 'https://o.example',
      resourceId: 'r-gw',
      updatedAt: NOW,
    })
    const rule = (id: string, identityId: string, name: string, privileged = false) => {
      insert('Entitlement', { id: `e-${id}`, orgId: 'org', sourceId: 'gw', resourceId: 'r-gw', externalId: id, name, privileged })
      insert('GatewayRule', {
        id,
        orgId: 'org',
        routeId: 'route1',
        principalType: 'identity',
        identityId,
        methods: '["GET"]',
        paths: '["/*"]',
        entitlementId: `e-${id}`,
      })
      grant(identityId, `e-${id}`, { privileged })
    }
    const call = (identityId: string, daysAgo: number, decision = 'allow') =>
      insert('GatewayCall', {
        id: `call${++n}`,
        orgId: 'org',
        identityId,
        routeId: 'route1',
        at: NOW - daysAgo * DAY,
        method: 'GET',
        path: '/1',
        status: 200,
        latencyMs: 1,
        decision,
      })
    const idle = identity()
    rule('rule-idle', idle, 'POST /orders/*', true)
    call(idle, settings.dormantDays + 5)
    call(idle, 1, 'deny')
    const busy = identity()
    rule('rule-busy', busy, 'GET /orders/*')
    call(busy, 2)
    expect(await openRules(idle)).toContain('gateway-unused-access')
    expect(await openRules(busy)).not.toContain('gateway-unused-access')
    // path wildcards are not admin: only every method on every path is
    expect(await openRules(busy)).not.toContain('admin-grant')
    const all = identity()
    rule('rule-all', all, '* /*', true)
    call(all, 1)
    expect(await openRules(all)).toContain('admin-grant')
    expect(await openRules(all)).not.toContain('gateway-unused-access')
    const sev = db.prepare(`SELECT "severity" FROM "Finding" WHERE "identityId" = ? AND "rule" = 'gateway-unused-access'`).get(idle) as { severity: string }
    expect(sev.severity).toBe('high')
  })

  it('human-use (NHI10): interactive sign-in reported by the source', async () => {
    const bad = identity()
    event(bad, 'interactive_login', 3)
    const good = identity()
    event(good, 'api_call', 1)
    expect(await openRules(bad)).toContain('human-use')
    expect(await openRules(good)).not.toContain('human-use')
  })

  it('covers every rule of the catalog', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(
      [
        'admin-grant',
        'auth-failures',
        'dormant',
        'env-mix',
        'human-use',
        'no-expiry',
        'old-secret',
        'owner-gone',
        'root-access-key',
        'root-account',
        'shared-secret',
        'static-auth',
        'third-party',
        'unowned',
        'unused-cred',
        'unused-priv',
        'gateway-unused-access',
      ].sort(),
    )
  })
})

describe('findings engine', () => {
  it('resolves a finding once the problem is gone and reopens it when it comes back; scores follow', async () => {
    const id = identity({ ownerId: null })
    await recomputeOrg(s, 'org', settings, { now: NOW })
    const row = () =>
      db
        .prepare(
          `SELECT f."status", i."riskScore", i."openFindings" FROM "Finding" f JOIN "Identity" i ON i."id" = f."identityId" WHERE f."identityId" = ? AND f."rule" = 'unowned'`,
        )
        .get(id) as { status: string; riskScore: number; openFindings: number }
    expect(row()).toMatchObject({ status: 'open', openFindings: 1, riskScore: 25 })
    db.prepare(`UPDATE "Identity" SET "ownerId" = 'alice' WHERE "id" = ?`).run(id)
    await recomputeOrg(s, 'org', settings, { now: NOW + 1000 })
    expect(row()).toMatchObject({ status: 'resolved', openFindings: 0, riskScore: 0 })
    db.prepare(`UPDATE "Identity" SET "ownerId" = NULL WHERE "id" = ?`).run(id)
    await recomputeOrg(s, 'org', settings, { now: NOW + 2000 })
    expect(row()).toMatchObject({ status: 'open', openFindings: 1 })
  })

  it('keeps an accepted risk accepted until it expires, then reopens it', async () => {
    const id = identity({ ownerId: null })
    await recomputeOrg(s, 'org', settings, { now: NOW })
    db.prepare(`UPDATE "Finding" SET "status" = 'accepted', "acceptedUntil" = ? WHERE "identityId" = ?`).run(NOW + 10 * DAY, id)
    await recomputeOrg(s, 'org', settings, { now: NOW + DAY })
    const status = () => (db.prepare(`SELECT "status" FROM "Finding" WHERE "identityId" = ?`).get(id) as { status: string }).status
    expect(status()).toBe('accepted')
    expect((db.prepare(`SELECT "openFindings" FROM "Identity" WHERE "id" = ?`).get(id) as { openFindings: number }).openFindings).toBe(0)
    await recomputeOrg(s, 'org', settings, { now: NOW + 11 * DAY })
    expect(status()).toBe('open')
  })

  it('re-evaluates only the identities it is given, with the same rules', async () => {
    const mine = identity({ ownerId: null })
    const other = identity({ ownerId: null })
    await recomputeOrg(s, 'org', settings, { now: NOW })
    db.prepare(`UPDATE "Identity" SET "ownerId" = 'alice' WHERE "id" IN (?, ?)`).run(mine, other)
    const r = await recomputeIdentities(s, 'org', [mine], settings, { now: NOW + 1000 })
    expect(r.identities).toBe(1)
    const state = (id: string) =>
      db
        .prepare(
          `SELECT f."status", i."riskScore" FROM "Finding" f JOIN "Identity" i ON i."id" = f."identityId" WHERE f."identityId" = ? AND f."rule" = 'unowned'`,
        )
        .get(id)
    expect(state(mine)).toEqual({ status: 'resolved', riskScore: 0 })
    expect(state(other)).toEqual({ status: 'open', riskScore: 25 })
  })

  it('adds the identities sharing a secret when asked, and never another organization', async () => {
    insert('Organization', { id: 'org2', slug: 'org2', name: 'Org 2' })
    insert('Source', { id: 'csv2', orgId: 'org2', name: 'CSV', type: 'csv' })
    const a = identity()
    const b = identity()
    credential(a, { fingerprint: 'same' })
    credential(b, { fingerprint: 'same' })
    insert('Identity', {
      id: 'foreign',
      orgId: 'org2',
      sourceId: 'csv2',
      externalId: 'f',
      name: 'f',
      searchText: 'f',
      kind: 'bot',
      environment: 'production',
      status: 'active',
      createdAt: NOW,
      updatedAt: NOW,
    })
    insert('Credential', { id: 'cf', orgId: 'org2', identityId: 'foreign', kind: 'token', fingerprint: 'same', createdAt: NOW, status: 'active' })
    expect(await recomputeIdentities(s, 'org', [a], settings, { now: NOW, sharedSecrets: true })).toEqual({ identities: 2 })
    const open = (id: string) =>
      (db.prepare(`SELECT "rule" FROM "Finding" WHERE "identityId" = ? AND "status" = 'open'`).all(id) as { rule: string }[]).map((x) => x.rule)
    expect(open(b)).toContain('shared-secret')
    expect(open('foreign')).toEqual([])
  })

  it('leaves findings raised outside the rules alone; an "owner-left" orphan gets no second "No owner" finding', async () => {
    const id = identity({ ownerId: null })
    insert('Finding', {
      id: 'ol',
      orgId: 'org',
      identityId: id,
      rule: 'owner-left',
      owaspCode: 'NHI1',
      severity: 'high',
      title: 'Owner left',
      status: 'open',
      firstSeenAt: NOW,
      lastSeenAt: NOW,
    })
    await recomputeOrg(s, 'org', settings, { now: NOW + 1000 })
    await recomputeIdentities(s, 'org', [id], settings, { now: NOW + 2000 })
    expect(db.prepare(`SELECT "rule" FROM "Finding" WHERE "identityId" = ? AND "status" = 'open'`).all(id)).toEqual([{ rule: 'owner-left' }])
    expect(db.prepare(`SELECT "riskScore", "openFindings" FROM "Identity" WHERE "id" = ?`).get(id)).toEqual({ riskScore: 25, openFindings: 1 })
    // However the identity got an owner again, "owner left" ends with it.
    db.prepare(`UPDATE "Identity" SET "ownerId" = 'alice' WHERE "id" = ?`).run(id)
    await recomputeIdentities(s, 'org', [id], settings, { now: NOW + 3000 })
    expect(db.prepare(`SELECT "status" FROM "Finding" WHERE "id" = 'ol'`).get()).toEqual({ status: 'resolved' })
    expect(db.prepare(`SELECT "riskScore", "openFindings" FROM "Identity" WHERE "id" = ?`).get(id)).toEqual({ riskScore: 0, openFindings: 0 })
  })

  it('walks all identities in batches', async () => {
    for (let i = 0; i < 23; i++) identity({ ownerId: null })
    const progress: number[] = []
    const r = await recomputeOrg(s, 'org', settings, { now: NOW, batchSize: 5, onProgress: (done) => void progress.push(done) })
    expect(r.identities).toBe(23)
    expect(r.batches).toBe(5)
    expect(progress).toEqual([5, 10, 15, 20, 23])
    expect((db.prepare(`SELECT COUNT(*) AS n FROM "Finding" WHERE "rule" = 'unowned' AND "status" = 'open'`).get() as { n: number }).n).toBe(23)
  })
})
