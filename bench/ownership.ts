// Bulk ownership assignment on the database in DATABASE_URL: "select all matching" over a whole organization,
// run as the bulk_assign job does it (batches of BULK_BATCH, each a transaction with per-identity audit rows and the
// resume point), compared with the raw database doing only the UPDATE. Seed first:
//   DATABASE_URL=file:$PWD/.tmp/owner-bench.db npx tsx scripts/seed.ts --identities 100000 --reset
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/ownership.ts [--org acme] [--filter kind=api_key,env=production]
// The job changes owners in that database; the raw comparison undoes it (owners, owner findings, scores), so runs repeat.
import { randomBytes } from 'node:crypto'
import { db } from '@/lib/db'
import { claimNextJob, runClaimedJob } from '@/lib/jobs/worker'
import { startBulkAssignByFilter } from '@/lib/ownership/mutations'
import { openDriverSql } from '@/lib/sql/driver'
import { auditHash } from '@/lib/audit/chain'
import { AUDIT_COLUMNS } from '@/lib/audit/record'
import { insertRows, newId } from '@/lib/sql/bulk'
import { OWNER_LEFT_RULE, OWNER_RULE_IDS, SEVERITY_WEIGHT } from '@/lib/findings/rules'
import { BULK_BATCH } from '@/lib/ownership/schemas'
import { num, sql } from '@/lib/sql/sql'
import './as-job-worker'

const args = process.argv.slice(2)
const slug = args.includes('--org') ? args[args.indexOf('--org') + 1] : 'acme'
// The inventory filter the bulk assignment acts on (the same query parameters as the page), default everything.
const filter: Record<string, string> = Object.fromEntries(
  (args.includes('--filter') ? args[args.indexOf('--filter') + 1] : '')
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=', 2) as [string, string]),
)
const url = process.env.DATABASE_URL
if (!url) throw new Error('Set DATABASE_URL to a seeded database')
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

const org = await db.organization.findUniqueOrThrow({ where: { slug }, select: { id: true, slug: true, name: true } })
const admin = await db.membership.findFirstOrThrow({
  where: { orgId: org.id, role: 'admin', status: 'active' },
  select: { user: { select: { id: true, name: true, email: true } } },
})
// The member who owns the fewest identities, so re-running the bench still changes (nearly) every row.
const members = await db.membership.findMany({
  where: { orgId: org.id, role: 'member', status: 'active', user: { active: true } },
  select: { user: { select: { id: true, email: true } } },
})
const owned = new Map((await db.identity.groupBy({ by: ['ownerId'], where: { orgId: org.id }, _count: { _all: true } })).map((g) => [g.ownerId, g._count._all]))
const target = members.sort((a, b) => (owned.get(a.user.id) ?? 0) - (owned.get(b.user.id) ?? 0))[0]
const ctx = { org, user: admin.user, role: 'admin' as const, actor: { type: 'user' as const, id: admin.user.id, label: admin.user.email } }
const engine = url.startsWith('file:') ? 'SQLite' : 'PostgreSQL'
const identities = await db.identity.count({ where: { orgId: org.id, status: { not: 'deleted' } } })
console.log(
  `bench/ownership: ${fmt(identities)} identities in "${slug}" on ${engine}; assigning those matching ${JSON.stringify(filter)} to ${target.user.email}`,
)

// The request: validate, count the filter, enqueue the job with its audit row.
let t = performance.now()
const { jobId, matching } = await startBulkAssignByFilter(ctx, {
  filter,
  fields: { ownerId: target.user.id },
  requestId: `bench-${randomBytes(6).toString('hex')}`,
})
const requestMs = performance.now() - t
// Run exactly this job (other queued jobs in the database are left alone).
await db.job.update({ where: { id: jobId }, data: { runAt: new Date(0) } })
const jobStarted = new Date()
t = performance.now()
const job = await claimNextJob('bench-ownership')
if (job?.id !== jobId) throw new Error('another job was claimed first; run on a quiet database')
const outcome = await runClaimedJob(job, 'bench-ownership')
const jobMs = performance.now() - t
const done = await db.job.findUniqueOrThrow({ where: { id: jobId }, select: { result: true, lastError: true } })
const result = JSON.parse(done.result ?? '{}') as { scanned?: number; changed?: number }
const audits = await db.auditEvent.count({ where: { orgId: org.id, action: 'identity.assign-owner', details: { contains: jobId } } })
console.log(`  request (count + enqueue):       ${fmt(requestMs)} ms for ${fmt(matching)} matching`)
console.log(
  `  bulk_assign job:                 ${(jobMs / 1000).toFixed(1)} s (${outcome}) — ${fmt((result.scanned ?? 0) / (jobMs / 1000))} identities/s, ${fmt(result.changed ?? 0)} changed, ${fmt(audits)} audit rows${done.lastError ? `, error: ${done.lastError}` : ''}`,
)

// The raw driver doing the same writes by hand-written SQL on the same identities, in reverse: per BULK_BATCH ids (as
// the job batches them) one transaction that reads them, gives each back the owner it had (one UPDATE per previous
// owner), reopens the owner findings the job resolved, rolls their counts and risk scores up again (the triggers copy
// the score to their findings, as in the job) and appends one chained audit row each (the chain stays valid). A first
// assignment of unowned identities costs the job the findings it settles; undoing it costs the raw driver the same
// rows and index entries. It also leaves the database as the run found it, so runs can be repeated and alternated.
const changed = await db.auditEvent.findMany({
  where: { orgId: org.id, action: 'identity.assign-owner', details: { contains: jobId } },
  select: { targetId: true, details: true },
})
const fromOwner = new Map(changed.map((r) => [r.targetId!, (JSON.parse(r.details ?? '{}') as { from?: { ownerId?: string | null } }).from?.ownerId ?? null]))
const changedIds = [...fromOwner.keys()]
const weight = `CASE f."severity" ${Object.entries(SEVERITY_WEIGHT)
  .map(([k, v]) => `WHEN '${k}' THEN ${v}`)
  .join(' ')} ELSE 0 END`
const openOf = `FROM "Finding" f WHERE f."identityId" = "Identity"."id" AND f."status" = 'open'`
const count = sql.raw(`(SELECT COUNT(*) ${openOf})`)
const score = sql.raw(`(SELECT CASE WHEN COALESCE(SUM(${weight}), 0) > 100 THEN 100 ELSE COALESCE(SUM(${weight}), 0) END ${openOf})`)
const ownerRules = sql.join(
  [...OWNER_RULE_IDS, OWNER_LEFT_RULE].map((r) => sql.lit(r)),
  ',',
)
const w = await openDriverSql(url, { load: true })
t = performance.now()
for (let i = 0; i < changedIds.length; i += BULK_BATCH) {
  const chunk = changedIds.slice(i, i + BULK_BATCH)
  await w.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; name: string; ownerId: string | null; backupOwnerId: string | null; teamId: string | null }>(
      sql`SELECT "id", "name", "ownerId", "backupOwnerId", "teamId" FROM "Identity" WHERE "id" ${sql.isIn(chunk)} AND "orgId" = ${org.id}`,
    )
    const at = new Date()
    const byOwner = new Map<string | null, string[]>()
    for (const r of rows) {
      const prev = fromOwner.get(r.id) ?? null
      byOwner.set(prev, [...(byOwner.get(prev) ?? []), r.id])
    }
    for (const [prev, ids] of byOwner)
      await tx.execute(sql`UPDATE "Identity" SET "ownerId" = ${prev}, "ownerOrigin" = ${prev ? 'manual' : null}, "ownerAssignedAt" = ${prev ? at : null},
          "updatedAt" = ${at} WHERE "orgId" = ${org.id} AND "id" ${sql.isIn(ids)}`)
    await tx.execute(sql`UPDATE "Finding" SET "status" = 'open', "resolvedAt" = NULL
      WHERE "identityId" ${sql.isIn(chunk)} AND "rule" IN (${ownerRules}) AND "status" = 'resolved' AND "resolvedAt" >= ${sql.date(jobStarted.getTime())}`)
    await tx.execute(sql`UPDATE "Identity" SET "openFindings" = ${count}, "riskScore" = ${score}
      WHERE "id" ${sql.isIn(chunk)} AND ("openFindings" <> ${count} OR "riskScore" <> ${score})`)
    const [head] = await tx.query<{ auditSeq: unknown; auditHash: string }>(
      sql`UPDATE "Organization" SET "auditSeq" = "auditSeq" + ${rows.length} WHERE "id" = ${org.id} RETURNING "auditSeq", "auditHash"`,
    )
    let prev = head.auditHash
    const first = num(head.auditSeq) - rows.length + 1
    const events = rows.map((r, k) => {
      const fields = {
        orgId: org.id,
        seq: first + k,
        at,
        actorType: 'user',
        actorId: admin.user.id,
        actorLabel: admin.user.email,
        action: 'identity.assign-owner',
        targetType: 'identity',
        targetId: r.id,
        targetLabel: r.name,
        outcome: 'success',
        justification: null,
        details: JSON.stringify({
          from: { ownerId: r.ownerId, backupOwnerId: r.backupOwnerId, teamId: r.teamId },
          to: { ownerId: fromOwner.get(r.id) ?? null },
          raw: true,
        }),
      }
      const hash = auditHash(prev, fields)
      const row = [newId(), ...Object.values(fields), prev, hash]
      prev = hash
      return row
    })
    await insertRows(tx, 'AuditEvent', AUDIT_COLUMNS, events)
    await tx.execute(sql`UPDATE "Organization" SET "auditHash" = ${prev} WHERE "id" = ${org.id}`)
  })
}
const rawMs = performance.now() - t
await w.close()
console.log(
  `  raw driver, the same writes undone (owners back, owner findings reopened, scores rolled up, chained audit rows; ${fmt(BULK_BATCH)} per transaction): ${(rawMs / 1000).toFixed(1)} s — ${fmt(changedIds.length / (rawMs / 1000))} identities/s`,
)

await db.$disconnect()
console.log(
  JSON.stringify({
    engine,
    identities,
    matching,
    requestMs: Math.round(requestMs),
    jobSeconds: +(jobMs / 1000).toFixed(2),
    identitiesPerSecond: Math.round((result.scanned ?? 0) / (jobMs / 1000)),
    changed: result.changed ?? 0,
    auditRows: audits,
    rawSeconds: +(rawMs / 1000).toFixed(2),
    rawIdentitiesPerSecond: Math.round(changedIds.length / (rawMs / 1000)),
  }),
)
