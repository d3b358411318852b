// Requests per second of an authenticated REST API list call over HTTP, as a pipeline meets it: a running Custodian
// (production build, `node scripts/start.mjs`) on the same DATABASE_URL, GET /api/v1/identities?limit=50 with an API
// token, N callers at once. Beside it, the raw driver running the statement the page of 50 needs (the floor).
// The server must run with rate limits above the load (CUSTODIAN_API_RATE_PER_TOKEN / _PER_ORG), or the run measures 429s.
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/api-http.ts --url http://127.0.0.1:3499 [--n 3000] [--concurrency 1,8,32]
import { Agent, request } from 'undici'
import { newToken } from '@/lib/api-tokens/format'
import { db } from '@/lib/db'
import { arg, databaseUrl, fmt } from './measure'
import { openRaw } from './raw'

const base = arg('--url', '')
if (!base) throw new Error('Give --url of a running Custodian (production build) on the same DATABASE_URL')
const n = Number(arg('--n', '3000'))
const levels = arg('--concurrency', '1,8,32').split(',').map(Number)
const path = arg('--path', '/api/v1/identities?limit=50')
const url = databaseUrl()

// The organization with the most identities (the demo organization, or a seeded one).
const [biggest] = await db.identity.groupBy({ by: ['orgId'], _count: { _all: true }, orderBy: { _count: { orgId: 'desc' } }, take: 1 })
if (!biggest) throw new Error('The database has no identities: seed it first')
const org = await db.organization.findUniqueOrThrow({ where: { id: biggest.orgId }, select: { id: true, slug: true } })
const t = newToken()
const token = await db.apiToken.create({
  data: {
    orgId: org.id,
    name: 'bench api-http',
    prefix: t.prefix,
    hash: t.hash,
    scopes: JSON.stringify(['identities:read']),
    expiresAt: new Date(Date.now() + 3_600_000),
  },
  select: { id: true },
})
const agent = new Agent({ connections: 128, pipelining: 1, keepAliveTimeout: 30_000 })
const headers = { authorization: `Bearer ${t.token}` }

async function once() {
  const s = performance.now()
  const res = await request(`${base}${path}`, { headers, dispatcher: agent })
  const body = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${body.slice(0, 300)}`)
  return performance.now() - s
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
async function run(c: number, count: number, fn: () => Promise<number>) {
  const lat: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next++ < count) lat.push(await fn())
    }),
  )
  const secs = (performance.now() - t0) / 1000
  return { concurrency: c, requests: count, perSecond: Math.round(count / secs), p50Ms: +pct(lat, 0.5).toFixed(2), p99Ms: +pct(lat, 0.99).toFixed(2) }
}

const results: Record<string, unknown>[] = []
try {
  for (let i = 0; i < 50; i++) await once() // warm-up: route compiled, token cached, statements prepared
  for (const c of levels) {
    const r = await run(c, n, once)
    console.log(`bench/api-http: GET ${path}, ${c} at once: ${fmt(r.perSecond)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`)
    results.push(r)
  }
  // The floor: the raw driver reading the same first page (the list's order: name, id) from the same database.
  const raw = await openRaw(url)
  const sqlText = `SELECT * FROM "Identity" WHERE "orgId" = ? AND "status" <> 'deleted' ORDER BY "name", "id" LIMIT 51`
  const rawOnce = async () => {
    const s = performance.now()
    await raw.all(sqlText, [org.id])
    return performance.now() - s
  }
  for (let i = 0; i < 50; i++) await rawOnce()
  const r = await run(1, n, rawOnce)
  console.log(`bench/api-http: raw driver, same page: ${fmt(r.perSecond)} queries/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`)
  results.push({ raw: true, ...r })
  await raw.close()
} finally {
  await db.apiToken.delete({ where: { id: token.id } })
  await agent.close()
}
const identities = biggest._count._all
console.log(JSON.stringify({ engine: url.startsWith('file:') ? 'sqlite' : 'postgresql', path, identities, results }))
process.exit(0)
