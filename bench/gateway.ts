// `npm run bench -- --gateway [--seconds N] [--concurrency C] [--memory-minutes M]`: a small upstream on loopback
// called directly, through a bare Node proxy that only forwards (the floor), and through the gateway (token check,
// Cedar decision, rate limit and call recording on, header credential injected), side by side in one run.
// Latency is measured one call at a time (added latency = through minus direct); throughput with C concurrent
// callers. Each server is its own process; the load comes from this one (undici, keep-alive). A benchmark, not a
// test: nothing fails on a number. With --memory-minutes, the gateway's resident memory is sampled under load.
// With --policies, the gateway is measured again in the same process after the organization saves a non-trivial Cedar
// policy set (BENCH_POLICIES: five forbids over the gateway_call context, none of which refuses the bench's calls), as
// `gatewayPolicies`: what enforcing organization policies adds per call.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Pool } from 'undici'
import { openDriverSql } from '../lib/sql/driver'
import { sql } from '../lib/sql/sql'
import { ensureDemoGatewayToken, seedDemoGateway } from '../lib/seed/gateway'

const root = path.resolve(import.meta.dirname, '..')
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? dflt : Number(process.argv[i + 1])
}
const SECONDS = arg('--seconds', 8)
const CONCURRENCY = arg('--concurrency', 32)
const MEMORY_MINUTES = arg('--memory-minutes', 0)
const UPSTREAM_PORT = Number(process.env.BENCH_UPSTREAM_PORT ?? 8183)
const PROXY_PORT = Number(process.env.BENCH_PROXY_PORT ?? 8182)
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT ?? 8181)
const KEY = 'bench-upstream-key'
const POLICIES = process.argv.includes('--policies')
const BENCH_POLICIES = `@id("unusual-gateway-use")
forbid (principal, action == Action::"gateway_call", resource) when { context.unusual };
@id("production-routes-private-networks")
forbid (principal, action == Action::"gateway_call", resource)
when { resource.environment == "production" }
unless { context.sourceIp.isInRange(ip("10.0.0.0/8")) || context.sourceIp.isLoopback() };
@id("no-static-deletes")
forbid (principal, action == Action::"gateway_call", resource) when { context.tokenKind == "gateway_token" && context.method == "DELETE" };
@id("agents-need-a-task")
forbid (principal, action == Action::"gateway_call", resource) when { principal.kind == "ai_agent" && !context.hasTask };
@id("admin-paths")
forbid (principal, action == Action::"gateway_call", resource) when { context.path like "/admin*" && !principal.privileged };`

const UPSTREAM = `
const http = require('node:http')
const body = JSON.stringify({ id: 1, status: 'shipped', amount: 42.5, currency: 'EUR' })
http.createServer({ keepAliveTimeout: 30000 }, (req, res) => {
  req.resume()
  req.on('end', () => {
    if (req.headers['x-api-key'] !== undefined && req.headers['x-api-key'] !== '${KEY}') { res.writeHead(401); return res.end() }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
}).listen(${UPSTREAM_PORT}, '127.0.0.1', () => console.log('ready'))
`

// The floor: forwards method, path, headers and body with undici, nothing else.
const BARE_PROXY = `
const http = require('node:http')
const { Pool } = require('undici')
const pool = new Pool('http://127.0.0.1:${UPSTREAM_PORT}', { connections: 128 })
http.createServer({ keepAliveTimeout: 30000 }, async (req, res) => {
  try {
    const headers = { ...req.headers }
    delete headers.host; delete headers.connection
    const up = await pool.request({ path: req.url, method: req.method, headers, body: req.method === 'GET' ? undefined : req })
    const out = { ...up.headers }
    delete out.connection; delete out['keep-alive']; delete out['transfer-encoding']
    res.writeHead(up.statusCode, out)
    for await (const chunk of up.body) res.write(chunk)
    res.end()
  } catch (e) { res.writeHead(502); res.end() }
}).listen(${PROXY_PORT}, '127.0.0.1', () => console.log('ready'))
`

function startNode(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (c: Buffer) => {
      out += String(c)
      if (ready.test(out)) resolve(child)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => (out += String(c)))
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)))
  })
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function load(base: string, token: string | null, seconds: number, concurrency: number) {
  const pool = new Pool(base, { connections: concurrency, pipelining: 1 })
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  const end = performance.now() + seconds * 1000
  let i = 0
  const worker = async () => {
    while (performance.now() < end) {
      const path = `/demo/orders/${i++ % 50}`
      const t = performance.now()
      const res = await pool.request({ path, method: 'GET', headers })
      await res.body.dump()
      latencies.push(performance.now() - t)
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await pool.close()
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50: +percentile(latencies, 50).toFixed(3),
    p99: +percentile(latencies, 99).toFixed(3),
    statuses: Object.fromEntries(statuses),
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

async function main() {
  const file = path.join(root, '.tmp', 'bench-gateway.db')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
  const databaseUrl = `file:${file}`
  const env = { ...process.env, DATABASE_URL: databaseUrl, GATEWAY_DEMO_UPSTREAM_KEY: KEY, GATEWAY_PORT: String(GATEWAY_PORT) }
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--identities', '1000'], { cwd: root, env, stdio: 'ignore' })

  // The seeded demo route, pointed at the bench upstream, with a limit high enough not to refuse (but still counted).
  const s = await openDriverSql(databaseUrl)
  const [org] = await s.query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = 'acme'`)
  const demo = (await seedDemoGateway(s, { orgId: org.id }))!
  await s.execute(
    sql`UPDATE "GatewayRoute" SET "upstreamUrl" = ${`http://127.0.0.1:${UPSTREAM_PORT}`}, "ratePerSecond" = 1000000, "burst" = 1000000 WHERE "id" = ${demo.routeId}`,
  )
  const token = await ensureDemoGatewayToken(s, demo, path.join(root, '.tmp', 'bench-gateway-token'))
  await s.close()

  const children: ChildProcess[] = []
  try {
    children.push(await startNode(['-e', UPSTREAM], env, /ready/))
    children.push(await startNode(['-e', BARE_PROXY], env, /ready/))
    const gateway = await startNode(['--conditions=react-server', '--import', 'tsx', 'scripts/gateway.ts'], env, /listening on/)
    children.push(gateway)

    const targets = {
      direct: { base: `http://127.0.0.1:${UPSTREAM_PORT}`, token: null },
      bareProxy: { base: `http://127.0.0.1:${PROXY_PORT}`, token: null },
      gateway: { base: `http://127.0.0.1:${GATEWAY_PORT}`, token },
    }
    // Warm up every path (connections, JIT, the gateway's caches).
    for (const t of Object.values(targets)) await load(t.base, t.token, 2, 4)

    const latency: Record<string, Awaited<ReturnType<typeof load>>> = {}
    const throughput: Record<string, Awaited<ReturnType<typeof load>>> = {}
    for (const [name, t] of Object.entries(targets)) latency[name] = await load(t.base, t.token, SECONDS, 1)
    for (const [name, t] of Object.entries(targets)) throughput[name] = await load(t.base, t.token, SECONDS, CONCURRENCY)
    if (POLICIES) {
      // Saved as the app saves it (OrgPolicy row; its trigger tells the running gateway, which reloads and compiles it).
      const w = await openDriverSql(databaseUrl)
      await w.execute(
        sql`INSERT INTO "OrgPolicy" ("id", "orgId", "text", "version", "updatedAt") VALUES (${'bench-policy'}, ${org.id}, ${BENCH_POLICIES}, 1, ${sql.date(Date.now())})`,
      )
      await w.close()
      await new Promise((r) => setTimeout(r, 1000))
      await load(targets.gateway.base, token, 2, 4)
      latency.gatewayPolicies = await load(targets.gateway.base, token, SECONDS, 1)
      throughput.gatewayPolicies = await load(targets.gateway.base, token, SECONDS, CONCURRENCY)
      // And once more without them (the row deleted: the gateway reloads), to tell the policies' cost from the drift of
      // a run that has been recording calls into a growing database for a while.
      const d = await openDriverSql(databaseUrl)
      await d.execute(sql`DELETE FROM "OrgPolicy" WHERE "orgId" = ${org.id}`)
      await d.close()
      await new Promise((r) => setTimeout(r, 1000))
      await load(targets.gateway.base, token, 2, 4)
      latency.gatewayAfter = await load(targets.gateway.base, token, SECONDS, 1)
      throughput.gatewayAfter = await load(targets.gateway.base, token, SECONDS, CONCURRENCY)
    }

    let memory: { minutes: number; samplesMiB: number[] } | null = null
    if (MEMORY_MINUTES > 0) {
      const samplesMiB = [rssMiB(gateway.pid!)]
      const until = Date.now() + MEMORY_MINUTES * 60_000
      while (Date.now() < until) {
        await load(targets.gateway.base, token, 10, CONCURRENCY)
        samplesMiB.push(rssMiB(gateway.pid!))
      }
      memory = { minutes: MEMORY_MINUTES, samplesMiB }
    }

    const check = await openDriverSql(databaseUrl)
    await new Promise((r) => setTimeout(r, 1500))
    const [{ n }] = await check.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM "GatewayCall" WHERE "orgId" = ${org.id}`)
    await check.close()

    const added = (name: string) => ({
      p50: +(latency[name].p50 - latency.direct.p50).toFixed(3),
      p99: +(latency[name].p99 - latency.direct.p99).toFixed(3),
    })
    const result = {
      at: new Date().toISOString(),
      machine: `${os.cpus().length} cpus ${os.cpus()[0]?.model ?? ''}, ${process.platform} ${process.arch}, node ${process.version}`,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      latencyMs: latency,
      addedLatencyMs: {
        bareProxy: added('bareProxy'),
        gateway: added('gateway'),
        ...(POLICIES ? { gatewayPolicies: added('gatewayPolicies'), gatewayAfter: added('gatewayAfter') } : {}),
      },
      policies: POLICIES ? BENCH_POLICIES : null,
      throughput,
      gatewayCallsRecorded: Number(n),
      gatewayRssMiB: rssMiB(gateway.pid!),
      memory,
    }
    console.log(JSON.stringify(result))
  } finally {
    for (const c of children) c.kill('SIGTERM')
  }
}

await main()
