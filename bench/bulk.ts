// NDJSON bulk upsert throughput (POST /api/v1/identities/bulk): BULK_BENCH_ROWS identities (default 100,000) streamed
// in 64 KiB chunks through the route handler itself — token check, rate limit, the streamed NDJSON reader, the sync
// engine's batches with their audit rows — in this process (no HTTP framing: the socket adds little to a streamed
// body), then the same rows again (all unchanged), beside the raw driver inserting the same identity rows with
// multi-row INSERTs in one transaction. Prints one JSON line. Benchmarks, not tests.
// Run: DATABASE_URL=file:$PWD/.tmp/bulk-bench.db node --conditions=react-server --import tsx bench/bulk.ts
// With --url http://127.0.0.1:3499 the body goes over HTTP to a running Custodian (production build, `node
// scripts/start.mjs` on the same DATABASE_URL, rate limits raised) instead, as `curl` sends it: what a user meets.
import { request } from 'undici'
import { randomBytes } from 'node:crypto'
import { deploy } from '../scripts/db.mjs'

const rows = Number(process.env.BULK_BENCH_ROWS ?? 100_000)
const urlAt = process.argv.indexOf('--url')
const base = urlAt > 0 ? process.argv[urlAt + 1] : ''
const KINDS = ['service_account', 'api_key', 'oauth_app', 'bot', 'ci_cd', 'workload', 'ai_agent']
const ENVS = ['production', 'staging', 'development', 'test']

function lines(prefix: string): string[] {
  return Array.from({ length: rows }, (_, i) =>
    JSON.stringify({
      external_id: `${prefix}-${i}`,
      name: `bulk-${prefix}-${i}`,
      kind: KINDS[i % KINDS.length],
      environment: ENVS[i % ENVS.length],
      last_used_at: i % 5 ? new Date(Date.UTC(2026, 10, 1) - (i % 120) * 86_400_000).toISOString() : 'never',
      tags: i % 10 ? undefined : { team: `t${i % 40}` },
    }),
  )
}

function stream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      c.enqueue(bytes.subarray(at, at + 65_536))
      at += 65_536
    },
  })
}

async function main() {
  await deploy({ quiet: true })
  const { db } = await import('../lib/db')
  const { createApiToken } = await import('../lib/api-tokens/mutations')
  const { POST } = await import('../app/api/v1/identities/bulk/route')
  const { setRateLimitsForTests } = await import('../lib/api/rate-limit')
  const { openDriverSql } = await import('../lib/sql/driver')
  const { sql } = await import('../lib/sql/sql')
  setRateLimitsForTests({ perToken: 1_000_000, perOrg: 1_000_000, windowSeconds: 60 })
  const org = await db.organization.create({ data: { slug: `bench-bulk-${randomBytes(3).toString('hex')}`, name: 'Bulk bench' } })
  const admin = await db.user.create({ data: { email: `bench-${randomBytes(3).toString('hex')}@bench.example`, name: 'Bench admin' } })
  await db.membership.create({ data: { orgId: org.id, userId: admin.id, role: 'admin', status: 'active' } })
  const ctx = { org, actor: { type: 'user' as const, id: admin.id, label: admin.name }, user: { id: admin.id, name: admin.name }, role: 'admin' as const }
  const { token } = await createApiToken(ctx as never, { name: 'bulk bench', scopes: ['identities:write'], expiresInDays: 1, allowedIps: [] })
  const body = lines('api').join('\n') + '\n'
  const send = async () => {
    const t = performance.now()
    if (base) {
      const res = await request(`${base}/api/v1/identities/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body,
      })
      const json = (await res.body.json()) as Record<string, unknown>
      return { seconds: (performance.now() - t) / 1000, status: res.statusCode, json }
    }
    const res = await POST(
      new Request('http://localhost/api/v1/identities/bulk', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body: stream(body),
        duplex: 'half',
      } as RequestInit),
      { params: Promise.resolve({}) },
    )
    const json = (await res.json()) as Record<string, unknown>
    return { seconds: (performance.now() - t) / 1000, status: res.status, json }
  }
  if (base) {
    // A server that has answered before: the route's modules loaded and its statements prepared, as a user meets it.
    const res = await request(`${base}/api/v1/identities/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ external_id: 'warm-up', name: 'warm-up', kind: 'bot' })}\n`,
    })
    await res.body.dump()
  }
  const first = await send()
  const again = await send()

  // The raw driver: the same identity rows, multi-row INSERTs of 500 in one transaction (no diff, no tags, no audit).
  const s = await openDriverSql(process.env.DATABASE_URL!)
  const source = await db.source.create({ data: { orgId: org.id, name: 'raw', type: 'api' } })
  const t = performance.now()
  await s.transaction(async (tx) => {
    const now = new Date()
    for (let i = 0; i < rows; i += 500) {
      const chunk = Array.from({ length: Math.min(500, rows - i) }, (_, k) => i + k)
      await tx.execute(
        sql`INSERT INTO "Identity" ("id","orgId","sourceId","externalId","name","searchText","kind","environment","status","createdAt","updatedAt","discoveredAt")
            VALUES ${sql.join(
              chunk.map(
                (n) =>
                  sql`(${`raw${n}-${randomBytes(4).toString('hex')}`}, ${org.id}, ${source.id}, ${`raw-${n}`}, ${`bulk-raw-${n}`}, ${`bulk-raw-${n}`}, ${KINDS[n % KINDS.length]}, ${ENVS[n % ENVS.length]}, 'active', ${sql.date(now.getTime())}, ${sql.date(now.getTime())}, ${sql.date(now.getTime())})`,
              ),
              ',',
            )}`,
      )
    }
  })
  const rawSeconds = (performance.now() - t) / 1000
  await s.close()
  const out = {
    rows,
    via: base ? 'http' : 'in process',
    engine: process.env.DATABASE_URL!.startsWith('file:') ? 'sqlite' : 'postgresql',
    first: { status: first.status, seconds: +first.seconds.toFixed(2), rowsPerSecond: Math.round(rows / first.seconds), added: first.json.added },
    again: { status: again.status, seconds: +again.seconds.toFixed(2), rowsPerSecond: Math.round(rows / again.seconds), unchanged: again.json.unchanged },
    raw: { seconds: +rawSeconds.toFixed(2), rowsPerSecond: Math.round(rows / rawSeconds) },
  }
  console.log(JSON.stringify(out))
  process.exit(0)
}

void main()
