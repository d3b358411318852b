// The PostgreSQL connector against a real server (the private test cluster, database remed_target):
// discovery, revocations that really happen, login refused after disable and rotation, and a worker killed
// with SIGKILL mid-revocation whose job is finished exactly once by a restarted worker.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closePostgresPools, postgresqlConnector } from '@/lib/connectors/postgresql/connector'
import { connectorContext } from '@/lib/connectors/registry'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { requestRemediation, requestRemediations } from '@/lib/remediation/mutations'
import { claimsOf, createOrg, engine } from './fixtures'

const TARGET = process.env.CUSTODIAN_TEST_PG_TARGET_URL ?? execFileSync('bash', ['scripts/pg.sh', 'url', 'remed_target'], { encoding: 'utf8' }).trim()
const target = new URL(TARGET)
const P = `remed_${randomBytes(3).toString('hex')}`
const R = { app: `${P}_app`, etl: `${P}_etl`, admin: `${P}_admin`, readers: `${P}_readers`, schema: `${P}_sales` }
const PW = { app: `old-app-${randomBytes(6).toString('hex')}`, etl: `etl-${randomBytes(6).toString('hex')}`, admin: `adm-${randomBytes(6).toString('hex')}` }
// Members of this group must present a password on loopback (the rest of the test cluster stays on trust).
const PWGROUP = 'custodian_test_password_auth'
const ENV_NAME = 'REMED_PG_TARGET_URL'
const rotationDir = fs.mkdtempSync(path.join(os.tmpdir(), 'remed-rotation-'))

let admin: pg.Client
let org: Awaited<ReturnType<typeof createOrg>>
let sourceId: string

async function sql(q: string, args: unknown[] = []) {
  return (await admin.query(q, args)).rows
}

async function login(user: string, password: string) {
  const c = new pg.Client({
    host: target.hostname,
    port: Number(target.port),
    database: target.pathname.slice(1),
    user,
    password,
    connectionTimeoutMillis: 5000,
  })
  await c.connect()
  await c.end()
}

async function hasTable(role: string, table: string, priv: string) {
  const [r] = await sql(`SELECT has_table_privilege($1, $2, $3) AS ok`, [role, `${R.schema}.${table}`, priv])
  return r.ok as boolean
}

/** Password auth for the group on loopback, placed first in pg_hba.conf (idempotent), then a reload. */
async function requirePasswordsForGroup() {
  const [{ hba_file: file }] = await sql(`SELECT current_setting('hba_file') AS hba_file`)
  const line = `host all +${PWGROUP} 127.0.0.1/32 scram-sha-256`
  const text = fs.readFileSync(file, 'utf8')
  if (!text.includes(line)) fs.writeFileSync(file, `# custodian tests: roles in ${PWGROUP} log in with a password\n${line}\n${text}`)
  await sql(`SELECT pg_reload_conf()`)
}

/** Writes discovered records into the inventory the way a sync would (the sync engine is tested on its own). */
async function load(pages: DiscoveryPage[]) {
  const orgId = org.org.id
  const ids = { identity: new Map<string, string>(), resource: new Map<string, string>(), entitlement: new Map<string, string>() }
  const ents = new Map<string, { privileged: boolean }>()
  for (const p of pages) {
    for (const i of p.identities ?? []) {
      const row = await db.identity.create({
        data: {
          orgId,
          sourceId,
          externalId: i.externalId,
          name: i.name,
          searchText: i.name,
          kind: i.kind,
          status: i.status ?? 'active',
          environment: i.environment ?? 'unknown',
          createdAt: new Date(),
        },
      })
      ids.identity.set(i.externalId, row.id)
    }
    for (const c of p.credentials ?? []) {
      await db.credential.create({
        data: {
          orgId,
          identityId: ids.identity.get(c.identityExternalId)!,
          externalId: c.externalId,
          kind: c.kind,
          label: c.label,
          fingerprint: c.fingerprint,
          createdAt: new Date(),
          expiresAt: c.expiresAt ?? null,
        },
      })
    }
    for (const r of p.resources ?? [])
      ids.resource.set(r.externalId, (await db.resource.create({ data: { orgId, sourceId, externalId: r.externalId, name: r.name, type: r.type } })).id)
    for (const e of p.entitlements ?? []) {
      ents.set(e.externalId, e)
      ids.entitlement.set(
        e.externalId,
        (
          await db.entitlement.create({
            data: { orgId, sourceId, resourceId: ids.resource.get(e.resourceExternalId)!, externalId: e.externalId, name: e.name, privileged: e.privileged },
          })
        ).id,
      )
    }
    for (const g of p.grants ?? []) {
      await db.grant.create({
        data: {
          orgId,
          identityId: ids.identity.get(g.identityExternalId)!,
          entitlementId: ids.entitlement.get(g.entitlementExternalId)!,
          privileged: ents.get(g.entitlementExternalId)!.privileged,
          createdAt: new Date(),
        },
      })
    }
  }
  return ids
}

async function discover() {
  const src = await db.source.findUniqueOrThrow({ where: { id: sourceId } })
  const pages: DiscoveryPage[] = []
  for await (const p of postgresqlConnector.discover(connectorContext(src))) pages.push(p)
  return pages
}

async function grantOf(role: string, entitlementExternalId: string) {
  return db.grant.findFirstOrThrow({
    where: { orgId: org.org.id, identity: { externalId: role, sourceId }, entitlement: { externalId: entitlementExternalId } },
  })
}
const identityOf = (role: string) => db.identity.findFirstOrThrow({ where: { sourceId, externalId: role } })

beforeAll(async () => {
  admin = new pg.Client({ connectionString: TARGET })
  await admin.connect()
  await requirePasswordsForGroup()
  await sql(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PWGROUP}') THEN CREATE ROLE ${PWGROUP} NOLOGIN; END IF; END $$`)
  await sql(`CREATE ROLE ${R.readers} NOLOGIN`)
  await sql(`CREATE ROLE ${R.app} LOGIN PASSWORD '${PW.app}' IN ROLE ${PWGROUP}`)
  await sql(`CREATE ROLE ${R.etl} LOGIN PASSWORD '${PW.etl}' VALID UNTIL '2030-01-01 00:00:00+00' IN ROLE ${PWGROUP}`)
  await sql(`CREATE ROLE ${R.admin} LOGIN PASSWORD '${PW.admin}' CREATEROLE BYPASSRLS IN ROLE ${PWGROUP}`)
  await sql(`GRANT ${R.readers} TO ${R.app}`)
  await sql(`CREATE SCHEMA ${R.schema}`)
  await sql(`CREATE TABLE ${R.schema}.orders (id int)`)
  await sql(`CREATE TABLE ${R.schema}.customers (id int)`)
  await sql(`GRANT USAGE ON SCHEMA ${R.schema} TO ${R.app}, ${R.etl}`)
  await sql(`GRANT SELECT, INSERT ON ${R.schema}.orders TO ${R.app}`)
  await sql(`GRANT SELECT ON ${R.schema}.customers TO ${R.app}, ${R.etl}`)
  process.env[ENV_NAME] = TARGET
  org = await createOrg()
  const src = await db.source.create({
    data: {
      orgId: org.org.id,
      name: `PostgreSQL ${P}`,
      type: 'postgresql',
      secretRef: ENV_NAME,
      config: JSON.stringify({ environment: 'production', rotationDestination: path.join(rotationDir, '{identity}.password') }),
    },
  })
  sourceId = src.id
})

afterAll(async () => {
  await closePostgresPools()
  if (!admin) return
  await sql(`DROP SCHEMA IF EXISTS ${R.schema} CASCADE`)
  for (const r of [R.app, R.etl, R.admin, R.readers]) {
    await sql(
      `DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${r}') THEN EXECUTE 'DROP OWNED BY ${r}'; EXECUTE 'DROP ROLE ${r}'; END IF; END $$`,
    )
  }
  await admin.end()
  fs.rmSync(rotationDir, { recursive: true, force: true })
})

describe(`postgresql connector, live (Custodian on ${engine})`, () => {
  it('discovers login roles, memberships, schema and table privileges, privileged attributes and password expiry', async () => {
    const pages = await discover()
    const all = (k: keyof DiscoveryPage) => pages.flatMap((p) => (p[k] ?? []) as never[]) as never[]
    const identities = all('identities') as { externalId: string; status: string; kind: string }[]
    const mine = identities
      .filter((i) => i.externalId.startsWith(P))
      .map((i) => i.externalId)
      .sort()
    expect(mine).toEqual([R.admin, R.app, R.etl].sort()) // the NOLOGIN group role is not an NHI
    expect(identities.find((i) => i.externalId === R.app)).toMatchObject({ kind: 'service_account', status: 'active' })
    const creds = all('credentials') as { identityExternalId: string; expiresAt: Date | null; kind: string }[]
    expect(creds.find((c) => c.identityExternalId === R.etl)).toMatchObject({ kind: 'password', expiresAt: new Date('2030-01-01T00:00:00Z') })
    expect(creds.find((c) => c.identityExternalId === R.app)?.expiresAt).toBeNull()
    const grants = (all('grants') as { identityExternalId: string; entitlementExternalId: string }[]).filter((g) => g.identityExternalId.startsWith(P))
    const of = (role: string) =>
      grants
        .filter((g) => g.identityExternalId === role)
        .map((g) => g.entitlementExternalId)
        .sort()
    expect(of(R.app)).toEqual(
      [
        `role:${R.readers}#MEMBER`,
        `schema:${R.schema}#USAGE`,
        `table:${R.schema}/customers#SELECT`,
        `table:${R.schema}/orders#INSERT`,
        `table:${R.schema}/orders#SELECT`,
        `role:${PWGROUP}#MEMBER`,
      ].sort(),
    )
    expect(of(R.admin)).toEqual(expect.arrayContaining(['cluster#CREATEROLE', 'cluster#BYPASSRLS']))
    const ents = all('entitlements') as { externalId: string; privileged: boolean }[]
    expect(ents.find((e) => e.externalId === 'cluster#BYPASSRLS')?.privileged).toBe(true)
    expect(ents.find((e) => e.externalId === `table:${R.schema}/orders#SELECT`)?.privileged).toBe(false)
    // Nothing secret in what discovery returns.
    expect(JSON.stringify(pages)).not.toContain(PW.app)
    await load(
      pages.map((p) => ({
        ...p,
        identities: p.identities?.filter((i) => i.externalId.startsWith(P)),
        credentials: p.credentials?.filter((c) => c.identityExternalId.startsWith(P)),
        grants: p.grants?.filter((g) => g.identityExternalId.startsWith(P)),
      })),
    )
  })

  it('revokes a table privilege, a role membership and a privileged attribute, idempotently', async () => {
    const ctx = org.ctx('admin')
    const app = await identityOf(R.app)
    const sel = await grantOf(R.app, `table:${R.schema}/orders#SELECT`)
    const member = await grantOf(R.app, `role:${R.readers}#MEMBER`)
    const adm = await identityOf(R.admin)
    const createrole = await grantOf(R.admin, 'cluster#CREATEROLE')
    expect(await hasTable(R.app, 'orders', 'SELECT')).toBe(true)
    for (const g of [sel, member]) await requestRemediation(ctx, { kind: 'revoke_grant', identityId: app.id, grantId: g.id, justification: 'least privilege' })
    await requestRemediation(ctx, { kind: 'revoke_grant', identityId: adm.id, grantId: createrole.id, justification: 'no need to create roles' })
    await drainJobs()
    expect(await hasTable(R.app, 'orders', 'SELECT')).toBe(false)
    expect(await hasTable(R.app, 'orders', 'INSERT')).toBe(true) // only what was asked
    expect(
      await sql(
        `SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = $2`,
        [R.readers, R.app],
      ),
    ).toHaveLength(0)
    expect((await sql(`SELECT rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = $1`, [R.admin]))[0]).toEqual({
      rolcreaterole: false,
      rolbypassrls: true,
    })
    for (const g of [sel, member, createrole]) expect(await db.grant.findUniqueOrThrow({ where: { id: g.id } })).toMatchObject({ status: 'revoked' })

    // Acting again on a revoked privilege changes nothing and does not fail.
    const src = await db.source.findUniqueOrThrow({ where: { id: sourceId } })
    const again = await postgresqlConnector.act!(connectorContext(src), 'revoke_grant', {
      identityExternalId: R.app,
      grant: {
        resourceExternalId: `table:${R.schema}/orders`,
        entitlementExternalId: `table:${R.schema}/orders#SELECT`,
        entitlementName: 'SELECT',
        resourceName: 'orders',
      },
    })
    expect(again).toMatchObject({ status: 'applied', detail: expect.stringContaining('nothing to revoke') })
    // An id this connector did not write is refused, never turned into SQL.
    await expect(
      postgresqlConnector.act!(connectorContext(src), 'revoke_grant', {
        identityExternalId: R.app,
        grant: { resourceExternalId: 'x', entitlementExternalId: `table:${R.schema}/orders#SELECT; DROP TABLE x`, entitlementName: 'x', resourceName: 'x' },
      }),
    ).rejects.toThrow('not discovered by the PostgreSQL connector')
  })

  it('revokes one table privilege from many roles in one statement, with the outcomes of one by one', async () => {
    const roles = [0, 1, 2, 3, 4].map((i) => `${P}_many${i}`)
    for (const r of roles.slice(0, 4)) await sql(`CREATE ROLE ${r} LOGIN`)
    // 0, 1 and 3 hold SELECT on customers; 2 holds nothing; 4 does not exist.
    await sql(`GRANT SELECT ON ${R.schema}.customers TO ${roles[0]}, ${roles[1]}, ${roles[3]}`)
    const etlBefore = await hasTable(R.etl, 'customers', 'SELECT')
    try {
      const src = await db.source.findUniqueOrThrow({ where: { id: sourceId } })
      const ext = `table:${R.schema}/customers#SELECT`
      const grant = { resourceExternalId: `table:${R.schema}/customers`, entitlementExternalId: ext, entitlementName: 'SELECT', resourceName: 'customers' }
      const results = await postgresqlConnector.actMany!(connectorContext(src), 'revoke_grant', [
        ...roles.slice(0, 3).map((r) => ({ identityExternalId: r, grant })),
        { identityExternalId: roles[4], grant },
        { identityExternalId: roles[0], grant: { ...grant, entitlementExternalId: `${ext}; DROP TABLE x` } },
      ])
      expect(results.slice(0, 4)).toEqual([
        { status: 'applied', detail: `Revoked ${ext} from ${roles[0]}.` },
        { status: 'applied', detail: `Revoked ${ext} from ${roles[1]}.` },
        { status: 'applied', detail: `${roles[2]} no longer holds ${ext}; nothing to revoke.` },
        { status: 'applied', detail: `Role ${roles[4]} no longer exists on the server; nothing left to do.` },
      ])
      // An id this connector did not write is refused, never turned into SQL.
      expect(String(results[4])).toContain('not discovered by the PostgreSQL connector')
      for (const r of roles.slice(0, 2)) expect(await hasTable(r, 'customers', 'SELECT')).toBe(false)
      expect(await hasTable(roles[3], 'customers', 'SELECT')).toBe(true) // not asked for
      expect(await hasTable(R.etl, 'customers', 'SELECT')).toBe(etlBefore)

      // Through the worker: revocations of one table from several roles are one group of a batch, each recorded alone.
      const orgId = org.org.id
      // The table and its SELECT are in the inventory since the discovery test.
      const ent = await db.entitlement.findFirstOrThrow({ where: { orgId, sourceId, externalId: ext } })
      await sql(`GRANT SELECT ON ${R.schema}.customers TO ${roles[0]}, ${roles[1]}`)
      const targets = []
      for (const r of [roles[0], roles[1], roles[3]]) {
        const i = await db.identity.create({ data: { orgId, sourceId, externalId: r, name: r, searchText: r, kind: 'service_account', createdAt: new Date() } })
        const g = await db.grant.create({ data: { orgId, identityId: i.id, entitlementId: ent.id, createdAt: new Date() } })
        targets.push({ kind: 'revoke_grant' as const, identityId: i.id, grantId: g.id, justification: 'customers table is off limits' })
      }
      const { created } = await requestRemediations(org.ctx('admin'), targets)
      const pending = await db.remediation.findMany({ where: { id: { in: created } }, select: { jobId: true } })
      expect(await claimsOf(pending.map((p) => p.jobId!))).toBe(1)
      const done = await db.remediation.findMany({ where: { id: { in: created } } })
      expect(done.map((d) => d.status)).toEqual(['applied', 'applied', 'applied'])
      expect(done.map((d) => d.detail).sort()).toEqual([roles[0], roles[1], roles[3]].map((r) => `Revoked ${ext} from ${r}.`).sort())
      for (const r of [roles[0], roles[1], roles[3]]) expect(await hasTable(r, 'customers', 'SELECT')).toBe(false)
    } finally {
      for (const r of roles.slice(0, 4)) await sql(`DROP OWNED BY ${r}; DROP ROLE ${r}`)
    }
  })

  it('disables a login role: login is refused afterwards', async () => {
    await login(R.etl, PW.etl)
    const etl = await identityOf(R.etl)
    await requestRemediation(org.ctx('governance'), { kind: 'disable_identity', identityId: etl.id, justification: 'pipeline retired' })
    await drainJobs()
    await expect(login(R.etl, PW.etl)).rejects.toThrow(/not permitted to log in/)
    expect((await sql(`SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, [R.etl]))[0].rolcanlogin).toBe(false)
    expect(await identityOf(R.etl)).toMatchObject({ status: 'quarantined' })
    // Restore during the quarantine: login works again.
    await requestRemediation(org.ctx('governance'), { kind: 'enable_identity', identityId: etl.id, justification: 'still needed for month end' })
    await drainJobs()
    await login(R.etl, PW.etl)
    expect(await identityOf(R.etl)).toMatchObject({ status: 'active' })
  })

  it('rotates a password: the new one goes only to the 0600 destination, the old one is refused, nothing is stored', async () => {
    await login(R.app, PW.app)
    const app = await identityOf(R.app)
    const cred = await db.credential.findFirstOrThrow({ where: { identityId: app.id } })
    await requestRemediation(org.ctx('admin'), { kind: 'rotate_credential', identityId: app.id, credentialId: cred.id, justification: 'never rotated' })
    await drainJobs()
    const file = path.join(rotationDir, `${R.app}.password`)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const fresh = fs.readFileSync(file, 'utf8')
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await expect(login(R.app, PW.app)).rejects.toThrow(/password authentication failed/)
    await login(R.app, fresh)
    expect((await db.credential.findUniqueOrThrow({ where: { id: cred.id } })).lastRotatedAt).toBeInstanceOf(Date)
    const rows = JSON.stringify([
      await db.auditEvent.findMany({ where: { orgId: org.org.id } }),
      await db.job.findMany({ where: { orgId: org.org.id } }),
      await db.remediation.findMany({ where: { orgId: org.org.id } }),
      await db.credential.findMany({ where: { orgId: org.org.id } }),
    ])
    expect(rows).toContain('rotate_credential')
    for (const secret of [fresh, PW.app, TARGET, createHash('sha256').update(fresh).digest('hex')]) expect(rows).not.toContain(secret)
  })

  it('revokes a password: password login is refused', async () => {
    const adm = await identityOf(R.admin)
    const cred = await db.credential.findFirstOrThrow({ where: { identityId: adm.id } })
    await login(R.admin, PW.admin)
    await requestRemediation(org.ctx('admin'), {
      kind: 'revoke_credential',
      identityId: adm.id,
      credentialId: cred.id,
      justification: 'moving to certificates',
    })
    await drainJobs()
    await expect(login(R.admin, PW.admin)).rejects.toThrow(/password authentication failed/)
    expect(await db.credential.findUniqueOrThrow({ where: { id: cred.id } })).toMatchObject({ status: 'revoked' })
    expect(await identityOf(R.admin)).toMatchObject({ credentialCount: 0 })
  })

  it('a worker killed with SIGKILL mid-revocation: a restarted worker finishes it exactly once', async () => {
    await drainJobs()
    const app = await identityOf(R.app)
    const g = await grantOf(R.app, `table:${R.schema}/customers#SELECT`)
    expect(await hasTable(R.app, 'customers', 'SELECT')).toBe(true)
    const { remediation } = await requestRemediation(org.ctx('admin'), { kind: 'revoke_grant', identityId: app.id, grantId: g.id, justification: 'crash test' })
    const jobId = remediation.jobId!
    const worker = (extra: Record<string, string>): ChildProcess =>
      spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
        env: { ...process.env, WORKER_POLL_MS: '100', CUSTODIAN_JOB_LEASE_MS: '1500', ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    const until = async (what: string, fn: () => Promise<boolean>, ms = 45_000) => {
      const end = Date.now() + ms
      while (!(await fn())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    // The first worker revokes, then (test delay) waits before recording the outcome: it dies in that window.
    const first = worker({ CUSTODIAN_TEST_ACT_DELAY_MS: '20000' })
    let log = ''
    first.stdout!.on('data', (d) => (log += d))
    first.stderr!.on('data', (d) => (log += d))
    try {
      await until('the first worker to revoke', async () => !(await hasTable(R.app, 'customers', 'SELECT')))
      expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: 'running', attempts: 1 })
    } catch (err) {
      first.kill('SIGKILL')
      throw new Error(`${(err as Error).message}\nworker output:\n${log}`)
    }
    first.kill('SIGKILL')
    await new Promise((r) => first.once('exit', r))
    expect(await db.remediation.findUniqueOrThrow({ where: { id: remediation.id } })).toMatchObject({ status: 'pending' })

    const second = worker({ CUSTODIAN_TEST_ACT_DELAY_MS: '0' })
    try {
      await until('the restarted worker to finish the job', async () => (await db.job.findUniqueOrThrow({ where: { id: jobId } })).status === 'succeeded')
    } finally {
      second.kill('SIGTERM')
      await new Promise((r) => second.once('exit', r))
    }
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId } })
    expect(job.attempts).toBe(2)
    const rem = await db.remediation.findUniqueOrThrow({ where: { id: remediation.id } })
    expect(rem.status).toBe('applied')
    expect(rem.detail).toContain('nothing to revoke') // the second run found it done and did not act again
    const applied = (await db.auditEvent.findMany({ where: { orgId: org.org.id, action: 'remediation.applied' } })).filter((e) =>
      e.details.includes(remediation.id),
    )
    expect(applied).toHaveLength(1)
    expect(await hasTable(R.app, 'customers', 'SELECT')).toBe(false)
    expect(await db.grant.findUniqueOrThrow({ where: { id: g.id } })).toMatchObject({ status: 'revoked' })
  })

  it('fails with a clear reason when the server refuses the connection', async () => {
    const bad = new URL(TARGET)
    bad.username = `${P}_nobody`
    process.env.REMED_PG_BAD_URL = bad.toString()
    const src = await db.source.create({ data: { orgId: org.org.id, name: `bad ${P}`, type: 'postgresql', secretRef: 'REMED_PG_BAD_URL' } })
    await expect(postgresqlConnector.act!(connectorContext(src), 'disable_identity', { identityExternalId: R.app })).rejects.toThrow(
      /Cannot reach the PostgreSQL source at 127\.0\.0\.1:\d+\/remed_target: .*does not exist/,
    )
  })
})
