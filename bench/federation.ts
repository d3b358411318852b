// Token exchanges per second (RFC 8693, POST /api/v1/oauth/token's handler) on the database in DATABASE_URL (any
// migrated database: the benchmark makes an organization of its own and deletes it after). A GitHub-shaped issuer runs
// on loopback; its JWKS is fetched once and then cached, as in production. Subject tokens are signed before timing.
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/federation.ts [--n 2000] [--concurrency 1,8]
// With --url http://127.0.0.1:PORT, the exchanges go over HTTP to a running Custodian (production build,
// `node scripts/start.mjs`) on the same DATABASE_URL instead of the handler in this process.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { Agent, request } from 'undici'
import { POST as tokenPOST } from '@/app/api/v1/oauth/token/route'
import { setApiLogDestination } from '@/lib/api/log'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { createProvider, createRule } from '@/lib/federation/mutations'
import { GITHUB_ISSUER, githubCondition } from '@/lib/federation/schemas'
import { arg, databaseUrl, fmt } from './measure'

const n = Number(arg('--n', '2000'))
const base = arg('--url', '')
const agent = base ? new Agent({ connections: 128, pipelining: 1, keepAliveTimeout: 30_000 }) : null
const levels = arg('--concurrency', '1,8').split(',').map(Number)
const url = databaseUrl()
setApiLogDestination({ write: () => true } as never)

const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
const kid = 'bench-1'
let jwksFetches = 0
const server = createServer((_req, res) => {
  jwksFetches++
  res.setHeader('content-type', 'application/json')
  exportJWK(publicKey).then((jwk) => res.end(JSON.stringify({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] })))
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`

const slug = `bench-fed-${randomUUID().slice(0, 8)}`
const org = await db.organization.create({ data: { slug, name: 'Federation bench' }, select: { id: true, slug: true, name: true } })
const source = await db.source.create({ data: { orgId: org.id, name: 'bench', type: 'api' } })
const identity = await db.identity.create({
  data: {
    orgId: org.id,
    sourceId: source.id,
    externalId: 'deploy',
    name: 'payments-deploy',
    searchText: 'payments-deploy',
    kind: 'ci_cd',
    createdAt: new Date(),
  },
})
const ctx = systemContext(org, { type: 'bench', id: null }, ['source:manage'])
const audience = `https://bench.example/${slug}`
const provider = await createProvider(ctx, { name: 'GitHub', issuer: GITHUB_ISSUER, audiences: [audience], jwksUri, preset: 'github', status: 'active' })
// A few rules, as an organization would have: only one matches.
for (let i = 0; i < 5; i++)
  await createRule(ctx, {
    providerId: provider.id,
    name: `repo ${i}`,
    identityId: identity.id,
    condition: githubCondition({ repositoryId: String(892341 + i), repositoryOwnerId: '1001', ref: 'refs/heads/main' }),
    scopes: ['identities:read', 'gateway:call'],
    audiences: ['custodian-api'],
    maxTtlSeconds: 900,
    status: 'active',
  })

async function subjectToken() {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    repository: 'acme/payments',
    repository_id: '892341',
    repository_owner_id: '1001',
    ref: 'refs/heads/main',
    jti: randomUUID(),
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(GITHUB_ISSUER)
    .setAudience(audience)
    .setSubject('repo:acme/payments:ref:refs/heads/main')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey)
}

async function exchangeOnce(token: string) {
  const t = performance.now()
  const form = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: token,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    scope: 'identities:read',
  })
  if (agent) {
    const res = await request(`${base}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      dispatcher: agent,
    })
    const text = await res.body.text()
    if (res.statusCode !== 200) throw new Error(`exchange answered ${res.statusCode}: ${text}`)
    return performance.now() - t
  }
  const res = await tokenPOST(
    new Request('http://localhost/api/v1/oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }),
  )
  if (res.status !== 200) throw new Error(`exchange answered ${res.status}: ${await res.text()}`)
  await res.json()
  return performance.now() - t
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]
const results: Record<string, unknown>[] = []
// Warm-up: the JWKS fetch, the org key's creation, Cedar's parse of the rules.
for (let i = 0; i < 20; i++) await exchangeOnce(await subjectToken())
for (const c of levels) {
  const tokens = await Promise.all(Array.from({ length: n }, subjectToken))
  const lat: number[] = []
  let next = 0
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < tokens.length) lat.push(await exchangeOnce(tokens[next++]))
    }),
  )
  const secs = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  // CPU time of this process per exchange: on a machine shared with other work, 1000 / cpuMsPerExchange is what one core sustains.
  const cpuMs = (cpu.user + cpu.system) / 1000 / n
  const r = {
    concurrency: c,
    exchanges: n,
    perSecond: Math.round(n / secs),
    p50Ms: +pct(lat, 0.5).toFixed(2),
    p99Ms: +pct(lat, 0.99).toFixed(2),
    cpuMsPerExchange: +cpuMs.toFixed(2),
    perCoreSecond: Math.round(1000 / cpuMs),
  }
  console.log(
    `bench/federation${agent ? ' over HTTP' : ''}: ${url.startsWith('file:') ? 'SQLite' : 'PostgreSQL'}, concurrency ${c}: ${fmt(r.perSecond)} exchanges/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${agent ? '' : `, ${r.cpuMsPerExchange} ms CPU each (${fmt(r.perCoreSecond)}/s per core)`}`,
  )
  results.push(r)
}
const issued = await db.tokenExchange.count({ where: { orgId: org.id, outcome: 'issued' } })
const audited = await db.auditEvent.count({ where: { orgId: org.id, action: 'federation.token-issued' } })
await db.organization.delete({ where: { id: org.id } })
await db.tokenExchange.deleteMany({ where: { orgId: null, issuer: GITHUB_ISSUER, replayKey: { startsWith: 'x' } } })
server.close()
await agent?.close()
console.log(JSON.stringify({ engine: url.startsWith('file:') ? 'sqlite' : 'postgresql', http: !!agent, jwksFetches, issued, audited, results }))
process.exit(0)
