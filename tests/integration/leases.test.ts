// Ephemeral PostgreSQL credentials against a real server (the private test cluster, database lease_target): a leased
// role logs in and uses exactly its template's grants; renew within the maximum; early revoke and expiry by the job;
// a process killed with SIGKILL between terminating the sessions and dropping the role, finished exactly once; a
// revocation that keeps failing ends stuck, then retried and forgotten.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemContext, type GrantedCtx, type WorkloadActor } from '@/lib/auth/org-context'
import type { Permission } from '@/lib/auth/permissions'
import { closePostgresPools, postgresqlConnector } from '@/lib/connectors/postgresql/connector'
import { connectorContext } from '@/lib/connectors/registry'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { db } from '@/lib/db'
import { runSchedulers, drainJobs } from '@/lib/jobs/worker'
import { leaseExpiryScheduler } from '@/lib/leases/jobs'
import { createTemplate, endLease, forgetLease, renewLease, requestLease, retryLease, revokeLease } from '@/lib/leases/mutations'
import { identityLeases, leaseableTemplates, leaseStats, listLeases, listTemplates } from '@/lib/leases/queries'
import { createTemplateSchema, LEASE_END_ATTEMPTS } from '@/lib/leases/schemas'
import { createLeaseOp, listLeasesOp, revokeLeaseOp } from '@/lib/api/v1/leases'
import { accessTokenIssuer, signAccessToken } from '@/lib/federation/access-token'
import { EXCHANGE_ACTOR } from '@/lib/federation/commit'
import { API_AUDIENCE } from '@/lib/federation/schemas'
import { orgSigner } from '@/lib/keys/org-keys'
import { apiCaller } from './api-client'
import { addIdentity, createOrg, engine } from './fixtures'

const pgUrl = (name: string) => execFileSync('bash', ['scripts/pg.sh', 'url', name], { encoding: 'utf8' }).trim()
const TARGET = process.env.CUSTODIAN_TEST_PG_LEASE_URL ?? pgUrl('lease_target')
const OTHER_DB = 'lease_other'
const target = new URL(TARGET)
const P = `lt_${randomBytes(3).toString('hex')}`
const SCHEMA = `${P} app` // a space in the name: identifiers are quoted, never pasted
const PWGROUP = 'custodian_test_password_auth'
const ENV_NAME = 'LEASE_PG_TARGET_URL'

let admin: pg.Client
let otherDb: pg.Client
let org: Awaited<ReturnType<typeof createOrg>>
let other: Awaited<ReturnType<typeof createOrg>>
let sourceId: string
let templateId: string
let teamId: string
let identity: { id: string; name: string }

const sql = async (q: string, args: unknown[] = []) => (await admin.query(q, args)).rows
const roleExists = async (r: string) => (await sql(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [r])).length === 1

function workload(id: string, label: string, perms: Permission[] = ['lease:read', 'lease:request']): GrantedCtx<WorkloadActor> {
  return { org: { id: org.org.id, slug: org.org.slug, name: org.org.name }, actor: { type: 'workload', id, label }, permissions: new Set(perms) }
}
const system = () => systemContext({ id: org.org.id, slug: org.org.slug, name: org.org.name }, { type: 'end_lease', id: null })

async function connectAs(user: string, password: string) {
  const c = new pg.Client({
    host: target.hostname,
    port: Number(target.port),
    database: target.pathname.slice(1),
    user,
    password,
    connectionTimeoutMillis: 5000,
  })
  await c.connect()
  c.on('error', () => {})
  return c
}

/** The test cluster trusts loopback; members of PWGROUP must present a password (pg_hba.conf, set up once). */
async function requirePasswordsForGroup() {
  const [{ hba_file: file }] = await sql(`SELECT current_setting('hba_file') AS hba_file`)
  const line = `host all +${PWGROUP} 127.0.0.1/32 scram-sha-256`
  const text = fs.readFileSync(file, 'utf8')
  if (!text.includes(line)) fs.writeFileSync(file, `# custodian tests: roles in ${PWGROUP} log in with a password\n${line}\n${text}`)
  await sql(`SELECT pg_reload_conf()`)
}

async function issue(ttlSeconds?: number) {
  const l = await requestLease(workload(identity.id, identity.name), { templateId, ttlSeconds, task: 'nightly export' })
  // Only so this test cluster asks the role for its password (it trusts loopback otherwise).
  await sql(`GRANT ${PWGROUP} TO "${l.username}"`)
  return l
}

async function block(role: string) {
  await otherDb.query(`CREATE TABLE "blocker_${role}" (id int)`)
  await otherDb.query(`ALTER TABLE "blocker_${role}" OWNER TO "${role}"`)
}
const unblock = (role: string) => otherDb.query(`DROP TABLE "blocker_${role}"`)

const leaseCredential = (leaseId: string) => db.credential.findFirstOrThrow({ where: { externalId: `lease:${leaseId}` } })
const auditOf = (action: string, leaseId: string) => db.auditEvent.findMany({ where: { orgId: org.org.id, action, targetId: leaseId } })

beforeAll(async () => {
  process.env[ENV_NAME] = TARGET
  otherDb = new pg.Client({ connectionString: pgUrl(OTHER_DB) })
  await otherDb.connect()
  admin = new pg.Client({ connectionString: TARGET })
  await admin.connect()
  await sql(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PWGROUP}') THEN CREATE ROLE ${PWGROUP} NOLOGIN; END IF; END $$`)
  await requirePasswordsForGroup()
  await sql(`CREATE SCHEMA "${SCHEMA}"`)
  await sql(`CREATE TABLE "${SCHEMA}".orders (id int)`)
  await sql(`CREATE TABLE "${SCHEMA}".customers (id int)`)
  await sql(`INSERT INTO "${SCHEMA}".orders VALUES (1), (2)`)
  org = await createOrg('Leases')
  other = await createOrg('Other')
  const src = await db.source.create({ data: { orgId: org.org.id, name: 'payments db', type: 'postgresql', secretRef: ENV_NAME } })
  sourceId = src.id
  identity = await addIdentity(org.org.id, sourceId, { name: 'Payments-Deploy (GitHub Actions) with a very long name that goes on and on' })
  teamId = (await db.team.create({ data: { orgId: org.org.id, slug: 'payments', name: 'Payments' } })).id
  await db.identity.update({ where: { id: identity.id }, data: { teamId } })
  const input = createTemplateSchema.parse({
    orgSlug: org.org.slug,
    name: 'orders reader',
    sourceId,
    grants: [{ privilege: 'SELECT', objectType: 'table', schema: SCHEMA, name: 'orders' }],
    defaultTtlSeconds: 600,
    maxTtlSeconds: 1800,
    principalType: 'team',
    teamId,
  })
  templateId = (await createTemplate(org.ctx('admin'), input)).id
})

afterAll(async () => {
  for (const r of await sql(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'cust_payments_deploy%'`)) {
    await sql(`DROP OWNED BY "${r.rolname}"`).catch(() => {})
    await sql(`DROP ROLE IF EXISTS "${r.rolname}"`).catch(() => {})
  }
  await sql(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`)
  await admin.end()
  await otherDb.end()
  await closePostgresPools()
})

describe(`credential templates (${engine})`, () => {
  it('parse grants structurally, refuse what PostgreSQL would refuse, and audit the creation', async () => {
    const ok = createTemplateSchema.safeParse({
      orgSlug: 'x',
      name: 't',
      sourceId,
      grants: ['SELECT ON "a b"."c""d"', 'USAGE ON SCHEMA app'],
      principalType: 'team',
      teamId,
    })
    expect(ok.success && ok.data.grants).toEqual([
      { privilege: 'SELECT', objectType: 'table', schema: 'a b', name: 'c"d' },
      { privilege: 'USAGE', objectType: 'schema', schema: 'app', name: null },
    ])
    const bad = createTemplateSchema.safeParse({ orgSlug: 'x', name: 't', sourceId, grants: ['CONNECT ON TABLE app.orders'] })
    expect(bad.success).toBe(false)
    const inj = createTemplateSchema.safeParse({ orgSlug: 'x', name: 't', sourceId, grants: ['SELECT ON app.orders TO public; DROP TABLE x'] })
    expect(inj.success).toBe(false)
    const ttl = createTemplateSchema.safeParse({ orgSlug: 'x', name: 't', sourceId, grants: ['SELECT ON a.b'], defaultTtlSeconds: 7200, maxTtlSeconds: 3600 })
    expect(ttl.success).toBe(false)
    const a = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.org.id, action: 'credential-template.create', targetId: templateId } })
    expect(a.details).toContain(`SELECT ON TABLE \\"${SCHEMA}\\".\\"orders\\"`)
    const [t] = await listTemplates(org.ctx('auditor'))
    expect(t).toMatchObject({ name: 'orders reader', maxTtlSeconds: 1800, grantsText: [`SELECT ON TABLE "${SCHEMA}"."orders"`] })
  })

  it('are managed by admins on PostgreSQL sources of their own organization only', async () => {
    const input = {
      name: 'x',
      sourceId,
      grants: [{ privilege: 'SELECT' as const, objectType: 'table' as const, schema: 'a', name: 'b' }],
      defaultTtlSeconds: 60,
      maxTtlSeconds: 60,
      principalType: 'identity' as const,
      identityId: identity.id,
    }
    await expect(createTemplate(org.ctx('member'), input)).rejects.toThrow(/permission|forbidden/i)
    await expect(createTemplate(other.ctx('admin'), input)).rejects.toThrow(/not found/i)
    await expect(createTemplate(org.ctx('admin'), { ...input, sourceId: org.source.id })).rejects.toThrow(/live PostgreSQL source/)
  })
})

describe(`leases (${engine})`, () => {
  it('a leased role logs in and uses exactly the template’s grants; the password is returned once and kept nowhere', async () => {
    const t0 = Date.now()
    const l = await issue(999_999 > 86_400 ? 86_400 : 999_999)
    expect(l.ttlSeconds).toBe(1800) // capped at the template's maximum
    expect(l.expiresAt.getTime() - l.issuedAt.getTime()).toBe(1800_000)
    expect(Buffer.byteLength(l.username)).toBeLessThanOrEqual(63)
    expect(l.username).toMatch(/^cust_payments_deploy_github_actions_with_a_ve_[0-9a-f]{10}$/)
    expect(l.issuedAt.getTime()).toBeGreaterThanOrEqual(t0 - 1000)
    const [role] = await sql(`SELECT r.rolcanlogin, r.rolvaliduntil, shobj_description(r.oid, 'pg_authid') AS comment FROM pg_roles r WHERE rolname = $1`, [
      l.username,
    ])
    expect(role.rolcanlogin).toBe(true)
    expect(new Date(role.rolvaliduntil).getTime()).toBe(l.expiresAt.getTime())
    expect(role.comment).toContain(l.leaseId)
    expect(role.comment).toContain(identity.id)

    const c = await connectAs(l.username, l.password)
    expect((await c.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".orders`)).rows[0].n).toBe(2)
    await expect(c.query(`SELECT * FROM "${SCHEMA}".customers`)).rejects.toThrow(/permission denied/)
    await expect(c.query(`INSERT INTO "${SCHEMA}".orders VALUES (3)`)).rejects.toThrow(/permission denied/)
    await c.end()
    await expect(connectAs(l.username, 'wrong')).rejects.toThrow(/password authentication failed/)

    const lease = await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })
    expect(lease).toMatchObject({ status: 'active', identityId: identity.id, requestedByType: 'workload', task: 'nightly export' })
    expect(JSON.stringify(lease)).not.toContain(l.password)
    const audits = await db.auditEvent.findMany({ where: { orgId: org.org.id } })
    expect(audits.some((a) => JSON.stringify(a).includes(l.password))).toBe(false)
    const [issued] = await auditOf('lease.issue', l.leaseId)
    expect(JSON.parse(issued.details)).toMatchObject({ role: l.username, ttlSeconds: 1800, requestedTtlSeconds: 86_400, task: 'nightly export' })
    const jobs = await db.job.findMany({ where: { orgId: org.org.id } })
    expect(jobs.some((j) => j.payload.includes(l.password))).toBe(false)

    const { active } = await identityLeases(org.ctx('member'), identity.id)
    expect(active.map((x) => x.id)).toContain(l.leaseId)

    // A sync of the same server does not list the leased role as an identity of the source (its comment names the lease).
    const src = await db.source.findUniqueOrThrow({ where: { id: sourceId } })
    const pages: DiscoveryPage[] = []
    for await (const p of postgresqlConnector.discover(connectorContext(src))) pages.push(p)
    const names = pages.flatMap((p) => p.identities ?? []).map((i) => i.name)
    expect(names.length).toBeGreaterThan(0)
    expect(names).not.toContain(l.username)
    expect(pages.flatMap((p) => p.grants ?? []).some((g) => g.identityExternalId === l.username)).toBe(false)
    expect(pages.flatMap((p) => p.skipped ?? []).map((k) => k.name)).toContain(l.username)
  })

  it('renew extends within the maximum from issue, then refuses', async () => {
    const l = await issue(60)
    expect(l.ttlSeconds).toBe(60)
    const r = await renewLease(workload(identity.id, identity.name), l.leaseId, 600)
    expect(r.expiresAt.getTime()).toBeGreaterThan(l.expiresAt.getTime())
    expect(r.expiresAt.getTime()).toBeLessThanOrEqual(l.maxExpiresAt.getTime())
    const [role] = await sql(`SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1`, [l.username])
    expect(new Date(role.rolvaliduntil).getTime()).toBe(r.expiresAt.getTime())
    const capped = await renewLease(workload(identity.id, identity.name), l.leaseId, 86_400)
    expect(capped.expiresAt.getTime()).toBe(l.maxExpiresAt.getTime())
    await expect(renewLease(workload(identity.id, identity.name), l.leaseId, 600)).rejects.toThrow(/maximum lifetime/)
    expect(await auditOf('lease.renew', l.leaseId)).toHaveLength(2)
    // The inventory's ephemeral credential follows the lease's end.
    expect((await leaseCredential(l.leaseId)).expiresAt?.getTime()).toBe(l.maxExpiresAt.getTime())
  })

  it('early revoke: the job ends the sessions and drops the role once; the role cannot log in any more', async () => {
    const l = await issue()
    // In the inventory: an active ephemeral credential of the identity while the role exists, revoked once it is dropped.
    expect(await leaseCredential(l.leaseId)).toMatchObject({ identityId: identity.id, kind: 'ephemeral', status: 'active', expiresAt: l.expiresAt })
    expect((await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).credentialCount).toBeGreaterThan(0)
    const c = await connectAs(l.username, l.password)
    expect(await revokeLease(workload(identity.id, identity.name), l.leaseId)).toEqual({ leaseId: l.leaseId, status: 'revoking' })
    await drainJobs()
    await expect(c.query('SELECT 1')).rejects.toThrow()
    expect(await roleExists(l.username)).toBe(false)
    await expect(connectAs(l.username, l.password)).rejects.toThrow(/password authentication failed|does not exist/)
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'revoked', endReason: 'revoked' })
    expect(await auditOf('lease.revoke', l.leaseId)).toHaveLength(1)
    expect((await leaseCredential(l.leaseId)).status).toBe('revoked')
    expect(await endLease(system(), l.leaseId)).toEqual({ outcome: 'already-ended' })
    await expect(renewLease(workload(identity.id, identity.name), l.leaseId)).rejects.toThrow(/ended/)
  })

  it('expiry: the scheduler queues the end of every lease past its end, and the job drops the role', async () => {
    const l = await issue()
    const before = await issue()
    await db.lease.update({ where: { id: l.leaseId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    // VALID UNTIL already refuses the password once the lease ends, before the job reaches it.
    await sql(`ALTER ROLE "${l.username}" VALID UNTIL '2000-01-01'`)
    await expect(connectAs(l.username, l.password)).rejects.toThrow(/password authentication failed/)
    await runSchedulers(new Date(), [leaseExpiryScheduler])
    await runSchedulers(new Date(), [leaseExpiryScheduler])
    expect(await db.job.count({ where: { orgId: org.org.id, type: 'end_lease', payload: { contains: l.leaseId } } })).toBe(1)
    await drainJobs()
    expect(await roleExists(l.username)).toBe(false)
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'expired' })
    expect(await auditOf('lease.expire', l.leaseId)).toHaveLength(1)
    expect(await roleExists(before.username)).toBe(true) // not due: untouched
  })

  it('an identity that stops being active loses its leases at the next scheduler pass (revoked as the system, audited)', async () => {
    const gone = await addIdentity(org.org.id, sourceId, { name: 'soon-disabled', ownerId: org.people.member.id })
    await db.identity.update({ where: { id: gone.id }, data: { teamId } })
    const l = await requestLease(org.ctx('member'), { templateId, identityId: gone.id, justification: 'incident 77' })
    const kept = await issue()
    await db.identity.update({ where: { id: gone.id }, data: { status: 'disabled' } })
    await runSchedulers(new Date(), [leaseExpiryScheduler])
    await runSchedulers(new Date(), [leaseExpiryScheduler])
    const [a] = await auditOf('lease.revoke-request', l.leaseId)
    expect(a).toMatchObject({ actorType: 'system' })
    expect(JSON.parse(a.details)).toMatchObject({ reason: 'the identity is disabled' })
    expect(await auditOf('lease.revoke-request', l.leaseId)).toHaveLength(1)
    await drainJobs()
    expect(await roleExists(l.username)).toBe(false)
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'revoked', endReason: 'revoked' })
    expect(await roleExists(kept.username)).toBe(true) // its identity is active: untouched
    // The dashboard's figures count it: ended in the last day; the kept one live.
    const stats = (await leaseStats(org.ctx('auditor')))!
    expect(stats.ended24h).toBe(await db.lease.count({ where: { orgId: org.org.id, endedAt: { not: null } } }))
    expect(stats.ended24h).toBeGreaterThanOrEqual(1)
    expect(stats.active).toBe(await db.lease.count({ where: { orgId: org.org.id, status: { in: ['active', 'revoking'] } } }))
    expect(await leaseStats(other.ctx('admin'))).toEqual({ active: 0, stuck: 0, ended24h: 0 })
  })

  it('a process killed with SIGKILL after terminating the sessions: the rerun drops the role once and revokes the lease once', async () => {
    const l = await issue()
    const session = await connectAs(l.username, l.password)
    await revokeLease(org.ctx('admin'), l.leaseId)
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'tests/integration/lease-end-child.ts', org.org.id, l.leaseId], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    const end = Date.now() + 30_000
    while (!out.includes('terminated')) {
      if (Date.now() > end || child.exitCode !== null) {
        child.kill('SIGKILL')
        throw new Error(`the child never reached the terminate step:\n${out}`)
      }
      await new Promise((r) => setTimeout(r, 25))
    }
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    expect(out).not.toContain('dropped')
    await expect(session.query('SELECT 1')).rejects.toThrow() // its session was terminated
    const [role] = await sql(`SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, [l.username])
    expect(role).toEqual({ rolcanlogin: false }) // mid-way: no logins, not yet dropped
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'revoking' })

    await drainJobs() // the queued job is the rerun
    await drainJobs()
    expect(await endLease(system(), l.leaseId)).toEqual({ outcome: 'already-ended' })
    expect(await roleExists(l.username)).toBe(false)
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'revoked', endAttempts: 0 })
    expect(await auditOf('lease.revoke', l.leaseId)).toHaveLength(1)
  })

  it('a revocation that keeps failing ends stuck with what blocks it; retry finishes it, forget gives up on it (audited)', async () => {
    const l = await issue()
    // Something Custodian cannot clean from the source's database: a table the role owns in another one makes DROP ROLE fail.
    await block(l.username)
    await revokeLease(workload(identity.id, identity.name), l.leaseId)
    for (let i = 1; i < LEASE_END_ATTEMPTS; i++) expect((await endLease(system(), l.leaseId)).outcome).toBe('failed')
    const last = await endLease(system(), l.leaseId)
    expect(last.outcome).toBe('stuck')
    const stuck = await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })
    expect(stuck).toMatchObject({ status: 'stuck', endAttempts: LEASE_END_ATTEMPTS })
    expect(stuck.lastError).toMatch(/cannot be dropped because some objects depend on it.*in database lease_other/)
    expect(await auditOf('lease.stuck', l.leaseId)).toHaveLength(1)
    expect((await listLeases(org.ctx('auditor'), { status: 'stuck' })).map((x) => x.id)).toEqual([l.leaseId])
    expect(await endLease(system(), l.leaseId)).toEqual({ outcome: 'already-ended' }) // no job touches a stuck lease

    await expect(retryLease(org.ctx('member'), l.leaseId)).rejects.toThrow(/permission|forbidden/i)
    await expect(retryLease(other.ctx('admin'), l.leaseId)).rejects.toThrow(/not found/i)
    await unblock(l.username)
    await retryLease(org.ctx('admin'), l.leaseId)
    await drainJobs()
    expect(await roleExists(l.username)).toBe(false)
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'revoked' })
    expect(await auditOf('lease.retry', l.leaseId)).toHaveLength(1)
    expect(await auditOf('lease.revoke', l.leaseId)).toHaveLength(1)

    const m = await issue()
    await block(m.username)
    await revokeLease(org.ctx('admin'), m.leaseId)
    for (let i = 0; i < LEASE_END_ATTEMPTS; i++) await endLease(system(), m.leaseId)
    await expect(forgetLease(org.ctx('admin'), m.leaseId, '')).rejects.toThrow(/why/)
    await forgetLease(org.ctx('admin'), m.leaseId, 'dropped by hand by the DBA')
    expect(await db.lease.findUniqueOrThrow({ where: { id: m.leaseId } })).toMatchObject({ status: 'forgotten' })
    expect((await leaseCredential(m.leaseId)).status).toBe('inactive')
    const [f] = await auditOf('lease.forget', m.leaseId)
    expect(f.justification).toBe('dropped by hand by the DBA')
    expect(JSON.parse(f.details)).toMatchObject({ role: m.username })
    await unblock(m.username)
  })

  it('a source whose connection is not configured: the issue is refused with what the source said, and a lease to end is stuck at once', async () => {
    const l = await issue()
    const src = await db.source.create({ data: { orgId: org.org.id, name: 'unconfigured', type: 'postgresql', secretRef: 'LEASE_TEST_UNSET_VARIABLE' } })
    const t = await db.credentialTemplate.create({
      data: { orgId: org.org.id, sourceId: src.id, name: 'unconfigured', grants: '[]', principalType: 'identity', identityId: identity.id },
    })
    await expect(requestLease(workload(identity.id, identity.name), { templateId: t.id })).rejects.toMatchObject({
      status: 502,
      message: expect.stringMatching(/LEASE_TEST_UNSET_VARIABLE .* is not set/),
    })
    // The lease's template moves to the unconfigured source (as if its variable were removed): no retry can mend that.
    await db.lease.update({ where: { id: l.leaseId }, data: { templateId: t.id } })
    await revokeLease(org.ctx('admin'), l.leaseId)
    expect((await endLease(system(), l.leaseId)).outcome).toBe('stuck')
    expect(await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })).toMatchObject({ status: 'stuck', endAttempts: 1 })
    await db.lease.update({ where: { id: l.leaseId }, data: { templateId } })
    await retryLease(org.ctx('admin'), l.leaseId)
    await drainJobs()
    expect(await roleExists(l.username)).toBe(false)
  })

  it('a workload with an exchanged token (leases:read and leases:write, a task) asks over the API, sees only its own leases, and revokes', async () => {
    const signer = await orgSigner({ org: org.org, actor: EXCHANGE_ACTOR })
    const now = Math.floor(Date.now() / 1000)
    const token = (scope: string) =>
      signAccessToken(signer, {
        iss: accessTokenIssuer(),
        sub: identity.id,
        aud: API_AUDIENCE,
        scope,
        org_id: org.org.id,
        jti: randomBytes(8).toString('hex'),
        iat: now,
        exp: now + 600,
        task: 'reconcile ledger 2026-12',
      })
    const call = apiCaller(() => token('leases:read leases:write'))
    const r = await call(createLeaseOp, { body: JSON.stringify({ templateId, ttlSeconds: 120 }), headers: { 'content-type': 'application/json' } })
    expect(r.status, r.text).toBe(201)
    expect(r.json).toMatchObject({ ttlSeconds: 120, username: expect.stringMatching(/^cust_payments_deploy/), database: 'lease_target' })
    const leaseId = String(r.json!.leaseId)
    expect(await db.lease.findUniqueOrThrow({ where: { id: leaseId } })).toMatchObject({ requestedByType: 'workload', task: 'reconcile ledger 2026-12' })
    const c = await connectAs(String(r.json!.username), String(r.json!.password))
    await c.end()
    // Not for another identity, and not without the scope.
    const peer = await addIdentity(org.org.id, sourceId, { name: 'api-peer' })
    const other = await call(createLeaseOp, { body: JSON.stringify({ templateId, identityId: peer.id }), headers: { 'content-type': 'application/json' } })
    expect(other.status).toBe(403)
    expect(
      (await call(createLeaseOp, { token: token('identities:read'), body: JSON.stringify({ templateId }), headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(403)
    const list = await call(listLeasesOp, { query: { status: 'active' } })
    expect(list.status).toBe(200)
    const listed = list.json!.data as { id: string; identity: { id: string } }[]
    expect(listed.map((l) => l.id)).toContain(leaseId)
    expect(listed.every((l) => l.identity.id === identity.id)).toBe(true)
    const revoked = await call(revokeLeaseOp, { params: { id: leaseId }, body: '{}', headers: { 'content-type': 'application/json' } })
    expect(revoked.status, revoked.text).toBe(200)
    expect(revoked.json).toMatchObject({ id: leaseId, status: 'revoking' })
    await drainJobs()
    expect(await roleExists(String(r.json!.username))).toBe(false)
  })

  it('who may ask: a workload only for itself, a member for identities they own (with a justification), never another organization', async () => {
    const peer = await addIdentity(org.org.id, sourceId, { name: 'peer' })
    await expect(requestLease(workload(identity.id, identity.name), { templateId, identityId: peer.id })).rejects.toThrow(/only ask for credentials for itself/)
    await expect(requestLease(workload(identity.id, identity.name, ['lease:read']), { templateId })).rejects.toThrow(/permission|forbidden/i)
    await expect(requestLease(org.ctx('member'), { templateId, identityId: peer.id, justification: 'incident 42' })).rejects.toThrow(/owner/)
    await expect(requestLease(org.ctx('admin'), { templateId, identityId: peer.id })).rejects.toThrow(/Say why/)
    await expect(requestLease(org.ctx('auditor'), { templateId, identityId: peer.id, justification: 'x' })).rejects.toThrow(/permission|forbidden/i)
    await expect(requestLease(other.ctx('admin'), { templateId, identityId: peer.id, justification: 'incident 42' })).rejects.toThrow(/not found/i)
    await db.identity.update({ where: { id: peer.id }, data: { ownerId: org.people.member.id } })
    // The template is for the payments team's identities: the peer is not one until it joins the team.
    await expect(requestLease(org.ctx('member'), { templateId, identityId: peer.id, justification: 'incident 42' })).rejects.toThrow(
      /not for peer: it names who may use it/,
    )
    await db.identity.update({ where: { id: peer.id }, data: { teamId } })
    const l = await requestLease(org.ctx('member'), { templateId, identityId: peer.id, justification: 'incident 42: read the orders' })
    const lease = await db.lease.findUniqueOrThrow({ where: { id: l.leaseId } })
    expect(lease).toMatchObject({ requestedByType: 'user', requestedById: org.people.member.id, justification: 'incident 42: read the orders' })
    const [a] = await auditOf('lease.issue', l.leaseId)
    expect(a.justification).toBe('incident 42: read the orders')
    await expect(revokeLease(workload(identity.id, identity.name), l.leaseId)).rejects.toThrow(/another identity/)
    await revokeLease(org.ctx('member'), l.leaseId)
    await drainJobs()
    expect(await roleExists(l.username)).toBe(false)
    expect((await listLeases(workload(identity.id, identity.name), { status: 'all' })).every((x) => x.identity.id === identity.id)).toBe(true)
  })

  it('a template names who may use it (identity, team, tag); the break-glass form offers only those; one made before names no one', async () => {
    const tagged = await addIdentity(org.org.id, sourceId, { name: 'tagged-etl', ownerId: org.people.member.id })
    await db.identityTag.create({ data: { orgId: org.org.id, identityId: tagged.id, key: 'lease', value: 'orders' } })
    const base = { orgSlug: org.org.slug, sourceId, grants: [{ privilege: 'SELECT', objectType: 'table', schema: SCHEMA, name: 'orders' }] }
    const byTag = await createTemplate(
      org.ctx('admin'),
      createTemplateSchema.parse({ ...base, name: 'by tag', principalType: 'tag', tagKey: 'lease', tagValue: 'orders' }),
    )
    const byIdentity = await createTemplate(
      org.ctx('admin'),
      createTemplateSchema.parse({ ...base, name: 'by identity', principalType: 'identity', identityId: identity.id }),
    )
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.org.id, action: 'credential-template.create', targetId: byTag.id } })
    expect(JSON.parse(audit.details)).toMatchObject({ usableBy: 'tag lease=orders' })
    // A principal must be named, and be this organization's.
    expect(createTemplateSchema.safeParse({ ...base, name: 'none' }).success).toBe(false)
    expect(createTemplateSchema.safeParse({ ...base, name: 'no team', principalType: 'team' }).success).toBe(false)
    await expect(
      createTemplate(
        org.ctx('admin'),
        createTemplateSchema.parse({ ...base, name: 'foreign', principalType: 'identity', identityId: (await addIdentity(other.org.id, other.source.id)).id }),
      ),
    ).rejects.toThrow(/not in this organization/)
    const offered = async (i: { id: string }) =>
      (await leaseableTemplates(org.ctx('admin'), (await db.identity.findUniqueOrThrow({ where: { id: i.id } })) as { id: string; teamId: string | null })).map(
        (t) => t.name,
      )
    expect(await offered(tagged)).toEqual(['by tag'])
    expect(await offered(identity)).toEqual(expect.arrayContaining(['by identity', 'orders reader']))
    expect(await offered(identity)).not.toContain('by tag')
    await expect(requestLease(org.ctx('member'), { templateId: byIdentity.id, identityId: tagged.id, justification: 'x' })).rejects.toThrow(
      /is not for tagged-etl/,
    )
    const l = await requestLease(org.ctx('member'), { templateId: byTag.id, identityId: tagged.id, justification: 'tagged lease' })
    await revokeLease(org.ctx('member'), l.leaseId)
    await drainJobs()
    // A template from before this version has no principal: it is refused for everyone, and offered to no one.
    await db.credentialTemplate.update({ where: { id: byTag.id }, data: { principalType: null, tagKey: null, tagValue: null } })
    await expect(requestLease(org.ctx('admin'), { templateId: byTag.id, identityId: tagged.id, justification: 'x' })).rejects.toThrow(/names no one/)
    expect(await offered(tagged)).toEqual([])
    const listed = await listTemplates(org.ctx('admin'))
    expect(listed.find((t) => t.id === byIdentity.id)?.usableBy).toMatchObject({ type: 'identity', label: identity.name })
    expect(listed.find((t) => t.id === byTag.id)?.usableBy).toBeNull()
  })
})
