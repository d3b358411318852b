// Time to issue an ephemeral PostgreSQL credential (requestLease: create the role with its grants and VALID UNTIL on the
// source, then the lease and its audit row in the app database), one after another, as a workload asks. Also the time
// to end one (end_lease's body: terminate sessions, reassign and drop owned, drop the role, the lease and its audit row).
// The source is a database of the PostgreSQL test cluster (scripts/pg.sh, lease_bench_target); the app database is
// DATABASE_URL (any migrated one: the benchmark makes an organization of its own and deletes it after).
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/leases.ts [--n 200]
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { systemContext, type GrantedCtx, type WorkloadActor } from '@/lib/auth/org-context'
import { closePostgresPools } from '@/lib/connectors/postgresql/connector'
import { db } from '@/lib/db'
import { createTemplate, endLease, requestLease, revokeLease } from '@/lib/leases/mutations'
import { arg, databaseUrl } from './measure'

const n = Number(arg('--n', '200'))
const url = databaseUrl()
const target = process.env.LEASE_BENCH_TARGET_URL ?? execFileSync('bash', ['scripts/pg.sh', 'url', 'lease_bench_target'], { encoding: 'utf8' }).trim()
process.env.LEASE_BENCH_TARGET_URL = target
const admin = new pg.Client({ connectionString: target })
await admin.connect()
await admin.query('CREATE SCHEMA IF NOT EXISTS bench')
await admin.query('CREATE TABLE IF NOT EXISTS bench.orders (id int)')
await admin.query('CREATE TABLE IF NOT EXISTS bench.order_lines (id int)')

const slug = `bench-lease-${randomUUID().slice(0, 8)}`
const org = await db.organization.create({ data: { slug, name: 'Leases bench' }, select: { id: true, slug: true, name: true } })
const source = await db.source.create({ data: { orgId: org.id, name: 'bench pg', type: 'postgresql', secretRef: 'LEASE_BENCH_TARGET_URL' } })
const identity = await db.identity.create({
  data: { orgId: org.id, sourceId: source.id, externalId: 'etl', name: 'orders-etl', searchText: 'orders-etl', kind: 'workload', createdAt: new Date() },
})
const manager = systemContext(org, { type: 'bench', id: null }, ['lease:manage'])
const template = await createTemplate(manager, {
  name: 'orders reader',
  sourceId: source.id,
  grants: [
    { privilege: 'SELECT', objectType: 'table', schema: 'bench', name: 'orders' },
    { privilege: 'SELECT', objectType: 'table', schema: 'bench', name: 'order_lines' },
  ],
  principalType: 'identity',
  identityId: identity.id,
  defaultTtlSeconds: 900,
  maxTtlSeconds: 3600,
})
const workload: GrantedCtx<WorkloadActor> = {
  org,
  actor: { type: 'workload', id: identity.id, label: identity.name },
  permissions: new Set(['lease:read', 'lease:request']),
}
const system = systemContext(org, { type: 'end_lease', id: null })

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
// Warm-up: pools, prepared paths, the JIT.
for (let i = 0; i < 10; i++) {
  const l = await requestLease(workload, { templateId: template.id, task: 'warm-up' })
  await revokeLease(workload, l.leaseId)
  await endLease(system, l.leaseId)
}
const issue: number[] = []
const end: number[] = []
const ids: string[] = []
for (let i = 0; i < n; i++) {
  const t = performance.now()
  const l = await requestLease(workload, { templateId: template.id, task: 'nightly export' })
  issue.push(performance.now() - t)
  ids.push(l.leaseId)
}
for (const id of ids) {
  await revokeLease(workload, id)
  const t = performance.now()
  const r = await endLease(system, id)
  end.push(performance.now() - t)
  if (r.outcome !== 'ended') throw new Error(`lease ${id} did not end: ${r.outcome} ${r.error ?? ''}`)
}
const left = await admin.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'cust_orders_etl_%'`)
const result = {
  engine: url.startsWith('file:') ? 'sqlite' : 'postgresql',
  n,
  issue: { p50Ms: +pct(issue, 0.5).toFixed(2), p95Ms: +pct(issue, 0.95).toFixed(2), p99Ms: +pct(issue, 0.99).toFixed(2) },
  end: { p50Ms: +pct(end, 0.5).toFixed(2), p95Ms: +pct(end, 0.95).toFixed(2), p99Ms: +pct(end, 0.99).toFixed(2) },
  rolesLeft: left.rows[0].n,
}
console.log(
  `bench/leases: app database ${result.engine}, ${n} leases: issue p50 ${result.issue.p50Ms} ms, p95 ${result.issue.p95Ms} ms, p99 ${result.issue.p99Ms} ms; end p50 ${result.end.p50Ms} ms, p95 ${result.end.p95Ms} ms`,
)
await db.organization.delete({ where: { id: org.id } })
await admin.end()
await closePostgresPools()
console.log(JSON.stringify(result))
process.exit(0)
