import { spawn } from 'node:child_process'
import Database from 'better-sqlite3'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { applyDiscovery } from '@/lib/connectors/sync'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { db, sqliteBusyCode } from '@/lib/db'
import { sqliteFile } from '@/lib/db-url'
import { systemContext } from '@/lib/auth/org-context'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { drainJobs } from '@/lib/jobs/worker'
import { sourceSyncScheduler, syncSourceJob } from '@/lib/sources/jobs'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { allowCheckpointThread, lastCheckpointThreadPasses } from '@/lib/sql/checkpoints'
import { beginWrite, prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { createOrg, engine } from './fixtures'

const DAY = 86_400_000
const d = (daysAgo: number) => new Date(Date.UTC(2025, 10, 1) - daysAgo * DAY)

async function* pagesOf(...pages: DiscoveryPage[]) {
  for (const p of pages) yield p
}

function snapshot(): DiscoveryPage {
  return {
    resources: [{ externalId: 'db/main', name: 'main', type: 'database' }],
    entitlements: [
      { resourceExternalId: 'db/main', externalId: 'SELECT', name: 'SELECT', privileged: false },
      { resourceExternalId: 'db/main', externalId: 'SUPERUSER', name: 'SUPERUSER', privileged: true },
    ],
    identities: [
      { externalId: 'a', name: 'svc-a', kind: 'service_account', environment: 'production', createdAt: d(400), lastUsedAt: d(1), tags: { team: 'data' } },
      { externalId: 'b', name: 'svc-b', kind: 'api_key', createdAt: d(300) },
      { externalId: 'c', name: 'svc-c', kind: 'bot', createdAt: d(200) },
    ],
    credentials: [
      { identityExternalId: 'a', externalId: 'key-1', kind: 'access_key', fingerprint: 'id:key-1', createdAt: d(390) },
      { identityExternalId: 'a', externalId: 'key-2', kind: 'access_key', fingerprint: 'id:key-2', createdAt: d(30) },
      { identityExternalId: 'b', externalId: 'tok', kind: 'token', fingerprint: 'id:tok', createdAt: d(100) },
    ],
    grants: [
      { identityExternalId: 'a', resourceExternalId: 'db/main', entitlementExternalId: 'SELECT' },
      { identityExternalId: 'a', resourceExternalId: 'db/main', entitlementExternalId: 'SUPERUSER' },
      { identityExternalId: 'c', resourceExternalId: 'db/main', entitlementExternalId: 'SELECT' },
    ],
  }
}

/** A sync run by the system (as a scheduled sync_source job does). */
const asSystem = (org: { id: string; slug: string; name: string }) => systemContext(org, { type: 'sync_source', id: null })

async function identities(sourceId: string) {
  return db.identity.findMany({ where: { sourceId }, orderBy: { externalId: 'asc' } })
}

describe(`sync engine (${engine})`, () => {
  it('adds what is new, with credentials, grants, tags, denormalized columns and one audit row', async () => {
    const { org, source } = await createOrg()
    const r = await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full' })
    expect(r).toMatchObject({ applied: true, added: 3, changed: 0, gone: 0, errors: 0, credentials: { added: 3 }, grants: { added: 3 } })
    const [a, b, c] = await identities(source.id)
    expect(a).toMatchObject({ externalId: 'a', name: 'svc-a', privileged: true, grantCount: 2, credentialCount: 2, status: 'active', searchText: 'svc-a a' })
    expect(a.oldestSecretAt?.getTime()).toBe(d(390).getTime())
    expect(b).toMatchObject({ privileged: false, grantCount: 0, credentialCount: 1 })
    expect(c).toMatchObject({ privileged: false, grantCount: 1, credentialCount: 0, oldestSecretAt: null })
    const cred = await db.credential.findFirstOrThrow({ where: { identityId: a.id, externalId: 'key-1' } })
    expect(cred.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(cred.fingerprint).not.toContain('key-1')
    expect(await db.identityTag.findMany({ where: { identityId: a.id }, select: { key: true, value: true } })).toEqual([{ key: 'team', value: 'data' }])
    const audit = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'source.sync' } })
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actorType: 'system', outcome: 'success', targetId: source.id })
    expect(JSON.parse(audit[0].details)).toMatchObject({ added: 3, changed: 0, gone: 0, errors: 0 })
    expect(await db.source.findUniqueOrThrow({ where: { id: source.id } })).toMatchObject({ lastSyncStatus: 'succeeded', lastSyncError: null })

    // A credential Custodian issued itself (a trust rule's federated credential) is not the source's: a full sync of the
    // same snapshot leaves it active.
    const fed = await db.credential.create({
      data: { orgId: org.id, identityId: c.id, kind: 'federated', externalId: 'trust-rule:x', fingerprint: 'federated:x', createdAt: new Date() },
    })
    // Nor are a gateway token (a credential Custodian mirrors, externalId api-token:…) or a gateway rule's grant (an
    // entitlement of the gateway's own source) on the same identity.
    const gwToken = await db.credential.create({
      data: { orgId: org.id, identityId: c.id, kind: 'token', externalId: 'api-token:gw1', fingerprint: 'f'.repeat(64), createdAt: new Date() },
    })
    const gateway = await db.source.create({ data: { orgId: org.id, name: 'Custodian gateway', type: 'custodian_gateway' } })
    const route = await db.resource.create({ data: { orgId: org.id, sourceId: gateway.id, externalId: 'route:x', name: '/x', type: 'api' } })
    const rule = await db.entitlement.create({ data: { orgId: org.id, sourceId: gateway.id, resourceId: route.id, externalId: 'gwl:x', name: 'GET /x/*' } })
    const gwGrant = await db.grant.create({ data: { orgId: org.id, identityId: c.id, entitlementId: rule.id, createdAt: new Date() } })
    const again = await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full' })
    expect(again.credentials).toMatchObject({ gone: 0 })
    expect(again.grants).toMatchObject({ gone: 0 })
    expect((await db.credential.findUniqueOrThrow({ where: { id: fed.id } })).status).toBe('active')
    expect((await db.credential.findUniqueOrThrow({ where: { id: gwToken.id } })).status).toBe('active')
    expect((await db.grant.findUniqueOrThrow({ where: { id: gwGrant.id } })).status).toBe('active')
  })

  it('changes what changed, leaves the rest alone, and marks what is gone (full sync only) without erasing it', async () => {
    const { org, source } = await createOrg()
    await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full' })
    const before = await identities(source.id)

    // Partial: only what is listed is touched; nothing is marked gone.
    const partial = await applyDiscovery(
      asSystem(org),
      source.id,
      pagesOf({ identities: [{ externalId: 'b', name: 'svc-b-renamed', kind: 'api_key', createdAt: d(300) }] }),
      { mode: 'partial' },
    )
    expect(partial).toMatchObject({ added: 0, changed: 1, gone: 0 })
    expect((await identities(source.id)).map((i) => i.status)).toEqual(['active', 'active', 'active'])

    // Full: a renamed, b gone, c unchanged, d new; a loses its SUPERUSER grant and key-1.
    const next = snapshot()
    next.identities = [{ ...next.identities![0], name: 'svc-a2' }, next.identities![2], { externalId: 'd', name: 'svc-d', kind: 'workload', createdAt: d(5) }]
    next.credentials = [next.credentials![1]]
    next.grants = [next.grants![0], next.grants![2]]
    const r = await applyDiscovery(asSystem(org), source.id, pagesOf(next), { mode: 'full' })
    expect(r).toMatchObject({ applied: true, added: 1, changed: 1, gone: 1, unchanged: 1, credentials: { gone: 2 }, grants: { gone: 1 } })
    const [a, b, c, dd] = await identities(source.id)
    expect(a).toMatchObject({ name: 'svc-a2', privileged: false, grantCount: 1, credentialCount: 1, status: 'active' })
    expect(a.oldestSecretAt?.getTime()).toBe(d(30).getTime())
    expect(b).toMatchObject({ status: 'deleted', id: before[1].id, credentialCount: 0 })
    expect(c.updatedAt.getTime()).toBe(before[2].updatedAt.getTime())
    expect(dd).toMatchObject({ externalId: 'd', status: 'active' })
    expect(await db.grant.findFirstOrThrow({ where: { identityId: a.id, status: 'revoked' } })).toMatchObject({ privileged: true })
    expect(await db.credential.count({ where: { identityId: a.id } })).toBe(2)

    // A gone identity that comes back is active again.
    const back = snapshot()
    const r2 = await applyDiscovery(asSystem(org), source.id, pagesOf(back), { mode: 'full' })
    expect(r2.gone).toBe(1)
    expect((await identities(source.id)).map((i) => [i.externalId, i.status])).toEqual([
      ['a', 'active'],
      ['b', 'active'],
      ['c', 'active'],
      ['d', 'deleted'],
    ])
  })

  it('all-or-nothing: one unreadable record and nothing changes', async () => {
    const { org, source } = await createOrg()
    await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full' })
    const before = await identities(source.id)
    const audits = await db.auditEvent.count({ where: { orgId: org.id } })
    const r = await applyDiscovery(
      asSystem(org),
      source.id,
      pagesOf(
        {
          identities: [
            { externalId: 'a', name: 'renamed', kind: 'service_account' },
            { externalId: 'new', name: 'new', kind: 'bot' },
          ],
        },
        { errors: [{ line: 7, message: 'kind: "robot" is not one of …' }] },
      ),
      { mode: 'full', allOrNothing: true },
    )
    expect(r).toMatchObject({ applied: false, errors: 1, added: 0, changed: 0 })
    expect(r.errorSamples).toEqual([{ line: 7, message: expect.any(String) }])
    expect(await identities(source.id)).toEqual(before)
    const src = await db.source.findUniqueOrThrow({ where: { id: source.id } })
    expect(src.lastSyncStatus).toBe('failed')
    expect(src.lastSyncError).toMatch(/nothing was changed/)
    expect(await db.auditEvent.count({ where: { orgId: org.id } })).toBe(audits + 1)

    // Without all-or-nothing the good records apply, the bad one is reported, and nothing is marked gone.
    const r2 = await applyDiscovery(
      asSystem(org),
      source.id,
      pagesOf({ identities: [{ externalId: 'new', name: 'new', kind: 'bot' }], errors: [{ line: 3, message: 'bad' }] }),
      { mode: 'full' },
    )
    expect(r2).toMatchObject({ applied: true, added: 1, errors: 1, gone: 0, goneSkipped: true })
    expect(await db.source.findUniqueOrThrow({ where: { id: source.id } })).toMatchObject({ lastSyncStatus: 'partial' })
  })

  it('an unreachable source fails the sync with a clear reason and changes no identity', async () => {
    const { org, source } = await createOrg()
    await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full' })
    const before = await identities(source.id)
    async function* unreachable(): AsyncGenerator<DiscoveryPage> {
      throw new Error('connect ECONNREFUSED 10.0.0.9:5432')
    }
    await expect(applyDiscovery(asSystem(org), source.id, unreachable(), { mode: 'full' })).rejects.toThrow('ECONNREFUSED')
    expect(await identities(source.id)).toEqual(before)
    expect(await db.source.findUniqueOrThrow({ where: { id: source.id } })).toMatchObject({
      lastSyncStatus: 'failed',
      lastSyncError: expect.stringContaining('ECONNREFUSED'),
    })
    expect(await db.auditEvent.findFirst({ where: { orgId: org.id, action: 'source.sync', outcome: 'failure' } })).not.toBeNull()
  })

  it('runs as a sync_source job: a live source that cannot be reached fails the job and changes nothing', async () => {
    const { org } = await createOrg()
    const ref = 'IMPORTS_TEST_UNREACHABLE_PG'
    process.env[ref] = 'postgresql://nobody@127.0.0.1:1/none'
    const source = await db.source.create({ data: { orgId: org.id, name: 'Prod DB', type: 'postgresql', secretRef: ref, syncSchedule: '6h' } })
    await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full' })
    const before = await identities(source.id)
    const queued = await enqueueJobNow(syncSourceJob, { sourceId: source.id }, { orgId: org.id })
    const job = await db.job.update({ where: { id: queued.id }, data: { maxAttempts: 1 } })
    await drainJobs()
    const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
    expect(done.status).toBe('failed')
    expect(done.lastError).toMatch(/^Could not sync “Prod DB”: /)
    expect(await identities(source.id)).toEqual(before)
    expect(await db.source.findUniqueOrThrow({ where: { id: source.id } })).toMatchObject({ lastSyncStatus: 'failed' })

    // The schedule enqueues one job per period, however often the scheduler runs.
    const now = new Date()
    await sourceSyncScheduler.run(now)
    await sourceSyncScheduler.run(new Date(now.getTime() + 1000))
    const scheduled = await db.job.findMany({ where: { orgId: org.id, type: 'sync_source', payload: { contains: '"trigger":"schedule"' } } })
    expect(scheduled).toHaveLength(1)
    await db.job.deleteMany({ where: { orgId: org.id } })
    delete process.env[ref]
  })

  it('applies a large discovery in batches and keeps every row (12,000 identities in one page)', async () => {
    const { org, source } = await createOrg()
    const n = 12_000
    const page: DiscoveryPage = {
      resources: [{ externalId: 'r', name: 'r', type: 'bucket' }],
      entitlements: [{ resourceExternalId: 'r', externalId: 'read', name: 'read', privileged: false }],
      identities: Array.from({ length: n }, (_, i) => ({ externalId: `x${i}`, name: `x${i}`, kind: 'api_key' as const })),
      grants: Array.from({ length: n }, (_, i) => ({ identityExternalId: `x${i}`, resourceExternalId: 'r', entitlementExternalId: 'read' })),
    }
    const progress: number[] = []
    const r = await applyDiscovery(asSystem(org), source.id, pagesOf(page), { mode: 'full', onProgress: (p) => void progress.push(p.processed) })
    expect(r).toMatchObject({ added: n, grants: { added: n }, errors: 0 })
    expect(await db.identity.count({ where: { sourceId: source.id, grantCount: 1 } })).toBe(n)
    expect(progress.at(-1)).toBe(2 * n)
  })

  // New identities get their rollup columns counted in memory as they are inserted; identities that existed get the
  // rollup UPDATE. Both must agree with what the UPDATE counts from the rows in the database.
  it("counts a new identity's grants and credentials as the rollup does (privileged, counts, oldest secret)", async () => {
    const { org, source } = await createOrg()
    const ent = (e: string) => ({ resourceExternalId: 'db/main', entitlementExternalId: e })
    const first: DiscoveryPage = {
      ...snapshot(),
      identities: ['n1', 'n2', 'n3', 'n4', 'n5'].map((x) => ({ externalId: x, name: `svc-${x}`, kind: 'service_account' as const })),
      credentials: [
        { identityExternalId: 'n1', externalId: 'k1', kind: 'access_key', fingerprint: 'id:k1', createdAt: d(500), lastRotatedAt: d(20) },
        { identityExternalId: 'n1', externalId: 'k2', kind: 'password', fingerprint: 'id:k2', createdAt: d(90) },
        { identityExternalId: 'n1', externalId: 'k3', kind: 'token', fingerprint: 'id:k3', createdAt: d(900), status: 'inactive' },
        { identityExternalId: 'n2', externalId: 'k4', kind: 'token', fingerprint: 'id:k4', createdAt: d(10), status: 'inactive' },
        { identityExternalId: 'n2', externalId: 'k4', kind: 'token', fingerprint: 'id:k4', createdAt: d(11), status: 'inactive' },
        { identityExternalId: 'n3', externalId: 'k5', kind: 'certificate', fingerprint: 'id:k5', createdAt: d(700), lastRotatedAt: d(30) },
        { identityExternalId: 'n3', externalId: 'k6', kind: 'ssh_key', fingerprint: 'id:k6', createdAt: d(40) },
      ],
      grants: [
        { identityExternalId: 'n1', ...ent('SELECT') },
        { identityExternalId: 'n2', ...ent('SELECT') },
        { identityExternalId: 'n2', ...ent('SUPERUSER') },
        { identityExternalId: 'n2', ...ent('SUPERUSER') },
        { identityExternalId: 'n4', ...ent('SUPERUSER') },
      ],
    }
    // n5 gets its credential and grant in a later page, when it already exists: the UPDATE's case.
    const later: DiscoveryPage = {
      credentials: [{ identityExternalId: 'n5', externalId: 'k7', kind: 'access_key', fingerprint: 'id:k7', createdAt: d(60) }],
      grants: [
        { identityExternalId: 'n5', ...ent('SUPERUSER') },
        { identityExternalId: 'n1', ...ent('SUPERUSER') },
      ],
    }
    await applyDiscovery(asSystem(org), source.id, pagesOf(first, later), { mode: 'full' })
    const rollup = async () =>
      (await identities(source.id)).map((i) => ({
        x: i.externalId,
        privileged: i.privileged,
        grants: i.grantCount,
        credentials: i.credentialCount,
        oldest: i.oldestSecretAt?.getTime() ?? null,
      }))
    const counted = await rollup()
    expect(counted).toEqual([
      { x: 'n1', privileged: true, grants: 2, credentials: 3, oldest: d(90).getTime() },
      { x: 'n2', privileged: true, grants: 2, credentials: 1, oldest: null },
      { x: 'n3', privileged: false, grants: 0, credentials: 2, oldest: d(40).getTime() },
      { x: 'n4', privileged: true, grants: 1, credentials: 0, oldest: null },
      { x: 'n5', privileged: true, grants: 1, credentials: 1, oldest: d(60).getTime() },
    ])
    await rollupIdentities(
      prismaSql(),
      (await identities(source.id)).map((i) => i.id),
    )
    expect(await rollup()).toEqual(counted)
  })

  it('a partial sync that fails after a committed batch leaves that batch audited in its own transaction', async () => {
    const { org, source } = await createOrg()
    async function* failsLater(): AsyncGenerator<DiscoveryPage> {
      yield {
        identities: [
          { externalId: 'p1', name: 'svc-p1', kind: 'bot' },
          { externalId: 'p2', name: 'svc-p2', kind: 'bot' },
        ],
      }
      throw new Error('connection reset by peer')
    }
    await expect(applyDiscovery(asSystem(org), source.id, failsLater(), { mode: 'partial' })).rejects.toThrow('connection reset')
    expect((await identities(source.id)).map((i) => i.externalId)).toEqual(['p1', 'p2'])
    const batches = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'source.sync-batch' } })
    expect(batches).toHaveLength(1)
    expect(JSON.parse(batches[0].details)).toMatchObject({ batch: 1, identities: { added: 2, changed: 0, gone: 0 } })
  })

  // In the job worker a large write's WAL checkpoints run on a thread of their own (lib/sql/checkpoints.ts): the
  // connection stops checkpointing while the sync runs and checkpoints again after, also when the sync fails.
  it.skipIf(engine !== 'sqlite')('in the job worker, a sync hands its WAL checkpoints to a thread and takes them back after', async () => {
    const autocheckpoint = async () => Number((await prismaSql().query<{ wal_autocheckpoint: unknown }>(sql`PRAGMA wal_autocheckpoint`))[0].wal_autocheckpoint)
    const before = await autocheckpoint()
    expect(before).toBeGreaterThan(0)
    const { org, source } = await createOrg()
    const seen: number[] = []
    const page = (from: number): DiscoveryPage => ({
      identities: Array.from({ length: 2_000 }, (_, i) => ({ externalId: `w${from + i}`, name: `svc-w${from + i}`, kind: 'bot' as const })),
    })
    const onProgress = async () => {
      seen.push(await autocheckpoint())
      await new Promise((r) => setTimeout(r, 600)) // the thread's passes run every 50 ms
    }
    // Not in the job worker: SQLite's own checkpoints stay on.
    await applyDiscovery(asSystem(org), source.id, pagesOf(page(0)), { mode: 'partial', onProgress })
    expect(seen).toEqual([before])
    allowCheckpointThread()
    try {
      seen.length = 0
      const r = await applyDiscovery(asSystem(org), source.id, pagesOf(page(2_000), page(4_000)), { mode: 'partial', onProgress })
      expect(r).toMatchObject({ added: 4_000, errors: 0 })
      expect(seen).toEqual([0, 0])
      expect(lastCheckpointThreadPasses()).toBeGreaterThan(0)
      expect(await autocheckpoint()).toBe(before)
      async function* fails(): AsyncGenerator<DiscoveryPage> {
        yield page(6_000)
        throw new Error('connection reset by peer')
      }
      await expect(applyDiscovery(asSystem(org), source.id, fails(), { mode: 'partial' })).rejects.toThrow('connection reset')
      expect(await autocheckpoint()).toBe(before)
    } finally {
      allowCheckpointThread(false)
    }
    expect(await db.identity.count({ where: { sourceId: source.id } })).toBe(8_000)
  })

  // Prisma opens SQLite transactions with a plain BEGIN: a batch that reads before it writes failed with
  // SQLITE_BUSY_SNAPSHOT whenever another connection committed in between (a web server writing beside an import).
  // Why the sync's batches (and the bulk assignment's) call beginWrite: a transaction that read before another connection
  // committed cannot write any more (SQLITE_BUSY_SNAPSHOT, at once); one that took the write lock first keeps it.
  it.skipIf(engine !== 'sqlite')('beginWrite holds the write lock from the start of a transaction that reads first', async () => {
    const { org } = await createOrg()
    const other = new Database(sqliteFile(process.env.DATABASE_URL!), { timeout: 0 })
    // A real change: SQLite commits nothing for a row written with the values it has.
    const touch = () => other.prepare('UPDATE "Organization" SET "name" = ? WHERE "id" = ?').run(`probe ${Math.random()}`, org.id)
    try {
      const readThenWrite = (lockFirst: boolean) =>
        db.$transaction(async (tx) => {
          if (lockFirst) await beginWrite(tx)
          await tx.organization.findUniqueOrThrow({ where: { id: org.id } })
          let refused = false
          try {
            touch() // another connection commits between this transaction's read and its write
          } catch {
            refused = true
          }
          await tx.organization.update({ where: { id: org.id }, data: { name: `${org.name}!` } })
          return refused
        })
      // Without it the other connection commits, and every attempt of the transaction fails on its stale snapshot.
      const err = await readThenWrite(false).then(
        () => null,
        (e: unknown) => e,
      )
      expect(sqliteBusyCode(err)).toBe('SQLITE_BUSY_SNAPSHOT')
      // With it the other connection waits (here: is refused, having no busy timeout) and the transaction commits.
      await expect(readThenWrite(true)).resolves.toBe(true)
    } finally {
      other.close()
    }
  })

  it.skipIf(engine !== 'sqlite')('applies its batches while another process commits every few milliseconds', async () => {
    const { org, source } = await createOrg()
    // Another process (as the web server is): it commits a change of this organization's row every millisecond.
    const probe = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 20000 })
         const touch = db.prepare('UPDATE "Organization" SET "name" = ? WHERE "id" = ?')
         let n = 0
         process.on('SIGTERM', () => { process.stdout.write(' ' + n); process.exit(0) })
         process.stdout.write('ready')
         const loop = () => { touch.run('probe ' + n, process.argv[2]); n++; setTimeout(loop, 1) }
         loop()`,
        sqliteFile(process.env.DATABASE_URL!),
        org.id,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    probe.stdout.on('data', (b: Buffer) => (out += b.toString()))
    while (!out.startsWith('ready')) await new Promise((r) => setTimeout(r, 20))
    const page = (from: number): DiscoveryPage => ({
      identities: Array.from({ length: 6_000 }, (_, i) => ({ externalId: `b${from + i}`, name: `svc-b${from + i}`, kind: 'bot' as const })),
      credentials: Array.from({ length: 6_000 }, (_, i) => ({
        identityExternalId: `b${from + i}`,
        externalId: 'k',
        kind: 'token' as const,
        fingerprint: `id:b${from + i}`,
      })),
    })
    try {
      const r = await applyDiscovery(asSystem(org), source.id, pagesOf(page(0), page(6_000), page(12_000)), { mode: 'full' })
      expect(r).toMatchObject({ added: 18_000, errors: 0, credentials: { added: 18_000 } })
    } finally {
      const ended = once(probe, 'exit')
      probe.kill('SIGTERM')
      await ended
    }
    // the other process did commit meanwhile
    expect(Number(out.slice('ready'.length))).toBeGreaterThan(3)
  })

  // The app's SQLite connection is shared by every request and job of the process: a sync may enlarge its page cache
  // while it runs, but must give it back.
  it.skipIf(engine !== 'sqlite')('gives the shared connection its page cache size back after a sync, also a failed one', async () => {
    const cacheSize = async () => Number((await prismaSql().query<{ cache_size: unknown }>(sql`PRAGMA cache_size`))[0].cache_size)
    const before = await cacheSize()
    const { org, source } = await createOrg()
    let during = before
    await applyDiscovery(asSystem(org), source.id, pagesOf(snapshot()), { mode: 'full', onProgress: async () => void (during = await cacheSize()) })
    expect(during).toBe(-128 * 1024)
    expect(await cacheSize()).toBe(before)
    async function* failing(): AsyncIterable<DiscoveryPage> {
      yield snapshot()
      throw new Error('connector went away')
    }
    await expect(applyDiscovery(asSystem(org), source.id, failing(), { mode: 'full' })).rejects.toThrow('connector went away')
    expect(await cacheSize()).toBe(before)
  })
})
