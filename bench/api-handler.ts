// CPU and wall time per call of the REST API list route handler (GET /api/v1/identities?limit=50) in this process,
// one caller, no HTTP: token check, rate limit, the page, the JSON answer and its log line. CPU time (process.cpuUsage)
// is what a shared machine's load changes least: compare commits with it (check out the other commit's lib/, run again).
// Run: DATABASE_URL=... CUSTODIAN_API_RATE_PER_TOKEN=10000000 CUSTODIAN_API_RATE_PER_ORG=10000000 \
//        node --conditions=react-server --import tsx bench/api-handler.ts [LABEL=...]
import { newToken } from '@/lib/api-tokens/format'
import { db } from '@/lib/db'
import { apiRoute } from '@/lib/api/route'
import { listIdentitiesOp } from '@/lib/api/v1/identities'
const [biggest] = await db.identity.groupBy({ by: ['orgId'], _count: { _all: true }, orderBy: { _count: { orgId: 'desc' } }, take: 1 })
const t = newToken()
const token = await db.apiToken.create({
  data: {
    orgId: biggest!.orgId,
    name: 'ab',
    prefix: t.prefix,
    hash: t.hash,
    scopes: JSON.stringify(['identities:read']),
    expiresAt: new Date(Date.now() + 3_600_000),
  },
  select: { id: true },
})
const handler = apiRoute(listIdentitiesOp)
const call = async () => {
  const res = await handler(new Request('http://127.0.0.1/api/v1/identities?limit=50', { headers: { authorization: `Bearer ${t.token}` } }), {
    params: Promise.resolve({}),
  })
  await res.text()
  if (res.status !== 200) throw new Error(String(res.status))
}
for (let i = 0; i < 300; i++) await call()
const n = 3000
const c0 = process.cpuUsage()
const w0 = performance.now()
for (let i = 0; i < n; i++) await call()
const c = process.cpuUsage(c0)
const w = performance.now() - w0
console.log(
  JSON.stringify({
    label: process.env.LABEL ?? null,
    engine: process.env.DATABASE_URL!.startsWith('file:') ? 'sqlite' : 'postgresql',
    cpuMsPerCall: +((c.user + c.system) / 1000 / n).toFixed(3),
    wallMsPerCall: +(w / n).toFixed(3),
  }),
)
await db.apiToken.delete({ where: { id: token.id } })
process.exit(0)
