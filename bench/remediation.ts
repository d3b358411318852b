// Revocations per second against a real PostgreSQL server: N login roles each holding SELECT on a table,
// revoked through Custodian (request in one transaction -> durable jobs -> PostgreSQL connector -> outcome + audit)
// and, for comparison, by the raw REVOKE statements over one connection.
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/remediation.ts [--n 300]
// The target is the private test cluster (bash scripts/pg.sh start), database remed_bench.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { closePostgresPools } from '@/lib/connectors/postgresql/connector'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { requestRemediations } from '@/lib/remediation/mutations'

const args = process.argv.slice(2)
const n = Number(args.includes('--n') ? args[args.indexOf('--n') + 1] : 300)
const target = process.env.CUSTODIAN_BENCH_PG_URL ?? execFileSync('bash', ['scripts/pg.sh', 'url', 'remed_bench'], { encoding: 'utf8' }).trim()
const P = `rb_${randomBytes(3).toString('hex')}`
const ENV = 'CUSTODIAN_BENCH_PG_TARGET'
process.env[ENV] = target
const admin = new pg.Client({ connectionString: target })
await admin.connect()
const q = (s: string) => admin.query(s)
const roles = Array.from({ length: n }, (_, i) => `${P}_r${i}`)

async function setUp(table: string) {
  await q(`CREATE TABLE IF NOT EXISTS ${P}.${table} (id int)`)
  await q(`GRANT USAGE ON SCHEMA ${P} TO ${roles.join(',')}`)
  await q(`GRANT SELECT ON ${P}.${table} TO ${roles.join(',')}`)
}

await q(`CREATE SCHEMA ${P}`)
for (let i = 0; i < n; i += 500)
  await q(
    roles
      .slice(i, i + 500)
      .map((r) => `CREATE ROLE ${r} LOGIN`)
      .join(';'),
  )
await setUp('t_custodian')
await setUp('t_raw')

const slug = `bench-remed-${P}`
const org = await db.organization.create({ data: { slug, name: 'Remediation bench' } })
const user = await db.user.create({ data: { email: `${P}@bench.example`, name: 'Bench' } })
await db.membership.create({ data: { orgId: org.id, userId: user.id, role: 'admin' } })
const ctx = {
  org: { id: org.id, slug, name: org.name },
  user: { id: user.id, name: 'Bench', email: user.email },
  role: 'admin' as const,
  actor: { type: 'user' as const, id: user.id, label: user.email },
}
const source = await db.source.create({ data: { orgId: org.id, name: 'bench pg', type: 'postgresql', secretRef: ENV } })
const resource = await db.resource.create({
  data: { orgId: org.id, sourceId: source.id, externalId: `table:${P}/t_custodian`, name: `${P}.t_custodian`, type: 'table' },
})
const ent = await db.entitlement.create({
  data: { orgId: org.id, sourceId: source.id, resourceId: resource.id, externalId: `table:${P}/t_custodian#SELECT`, name: 'SELECT' },
})
const targets = []
for (const r of roles) {
  const i = await db.identity.create({
    data: { orgId: org.id, sourceId: source.id, externalId: r, name: r, searchText: r, kind: 'service_account', createdAt: new Date(), grantCount: 1 },
  })
  const g = await db.grant.create({ data: { orgId: org.id, identityId: i.id, entitlementId: ent.id, createdAt: new Date() } })
  targets.push({ kind: 'revoke_grant' as const, identityId: i.id, grantId: g.id, justification: 'benchmark revocation' })
}

let t = performance.now()
await requestRemediations(ctx, targets)
const requestMs = performance.now() - t
t = performance.now()
await drainJobs(undefined, n + 10)
const runMs = performance.now() - t
const applied = await db.remediation.count({ where: { orgId: org.id, status: 'applied' } })
const left = Number(
  (await q(`SELECT count(*) AS c FROM unnest(ARRAY[${roles.map((r) => `'${r}'`).join(',')}]) r WHERE has_table_privilege(r, '${P}.t_custodian', 'SELECT')`))
    .rows[0].c,
)

t = performance.now()
for (const r of roles) await q(`REVOKE SELECT ON ${P}.t_raw FROM ${r}`)
const rawMs = performance.now() - t

await q(`DROP SCHEMA ${P} CASCADE`)
for (let i = 0; i < n; i += 500)
  await q(
    roles
      .slice(i, i + 500)
      .map((r) => `DROP ROLE ${r}`)
      .join(';'),
  )
await admin.end()
await closePostgresPools()
await db.organization.delete({ where: { id: org.id } })
await db.user.delete({ where: { id: user.id } })

const perSec = (ms: number) => Math.round((n / ms) * 1000)
const result = {
  revocations: n,
  custodianDb: (process.env.DATABASE_URL ?? '').startsWith('postgres') ? 'postgresql' : 'sqlite',
  applied,
  privilegesLeft: left,
  requestMs: Math.round(requestMs),
  requestsPerSecond: perSec(requestMs),
  executeMs: Math.round(runMs),
  revocationsPerSecond: perSec(runMs),
  rawRevokeMs: Math.round(rawMs),
  rawRevokesPerSecond: perSec(rawMs),
}
console.log(
  `bench/remediation: ${n} revocations: request ${result.requestsPerSecond}/s, execute ${result.revocationsPerSecond}/s (raw REVOKE ${result.rawRevokesPerSecond}/s)`,
)
console.log(JSON.stringify(result))
process.exit(0)
