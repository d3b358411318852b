// The page benchmark: every page a person opens, over HTTP, on the production build, against an organization of
// --scale identities — time to first byte and time until the whole response has arrived (pages stream) — beside
// the raw database driver running hand-written SQL for the same data. Benchmarks, not tests: nothing fails on a
// number; it fails loudly when a page errors or when the app has a page this file does not measure.
//
//   npm run bench -- --pages [--scale 100000] [--runs 6] [--port 3401] [--db <file>]
//   (SQLite by default, in .tmp/bench-<scale>.db or the file --db names; PostgreSQL when DATABASE_URL points to one)
//   --only <text>: measure only the pages whose name contains it (repeatable); the results then go to .tmp/bench-results
//   --stall: instead, a light page's times while another user requests the heaviest page over and over, in the same
//   server process (better-sqlite3 is synchronous: one slow query holds every other request of the process); the
//   server runs one web process (demo mode) unless CUSTODIAN_WEB_PROCESSES says more.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openRaw, type Raw } from './raw'
import { demoSignIn } from './measure'

const root = path.resolve(import.meta.dirname, '..')
const argv = process.argv.slice(2)
const arg = (name: string, dflt: number) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i < 0) return dflt
  const v = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1]
  const n = Number(String(v).replace(/[_,]/g, ''))
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`)
  return n
}
const scale = arg('scale', 100_000)
const runs = arg('runs', scale <= 5_000 ? 2 : 6)
const port = arg('port', 3401)
const stallMode = argv.includes('--stall')
const webProcesses = `${process.env.CUSTODIAN_WEB_PROCESSES ?? 1} web process(es) (CUSTODIAN_WEB_PROCESSES)`
const only = argv.flatMap((a, i) => (a === '--only' ? [argv[i + 1]] : a.startsWith('--only=') ? [a.slice('--only='.length)] : []))
const base = `http://localhost:${port}`
const pgUrl = process.env.DATABASE_URL && /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL) ? process.env.DATABASE_URL : null
const dbFile = (() => {
  const i = argv.findIndex((a) => a === '--db' || a.startsWith('--db='))
  if (i < 0) return path.join(root, '.tmp', `bench-${scale}.db`)
  const v = argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1]
  if (!v || v.startsWith('--')) throw new Error('--db needs a SQLite file')
  return path.resolve(v)
})()
const dbUrl = pgUrl ?? `file:${dbFile}`
const engine = pgUrl ? 'postgresql' : 'sqlite'
const log = (m: string) => console.log(`bench pages: ${m}`)

// ---- the app's pages, and which are measured ----------------------------------------------------------------

/** Every page route of the app, as a pattern (route groups removed). */
function appRoutes(): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name === 'page.tsx')
        out.push(
          '/' +
            path
              .relative(path.join(root, 'app'), dir)
              .split(path.sep)
              .filter((s) => !/^\(.*\)$/.test(s))
              .join('/'),
        )
    }
  }
  walk(path.join(root, 'app'))
  return out.map((r) => (r === '/' ? '/' : r.replace(/\/$/, ''))).sort()
}

/** Pages not measured, each with the reason. */
const NOT_MEASURED: Record<string, string> = {
  '/': 'redirects to the person’s organization',
  '/invite/[token]': 'needs a fresh invitation link; a static page around one lookup by hash',
  '/[orgSlug]/gateway/new': 'a form; no data beyond the session',
  '/[orgSlug]/federation/new': 'a form; no data beyond the session',
  '/[orgSlug]/federation/[providerId]':
    'not measured yet: the seed makes no trust provider; one provider, its rules (tens) and its 20 latest exchanges by (orgId, at)',
  // Leases are per template and short-lived: tens to hundreds active; the page reads at most 500 active, 500 stuck and
  // the last 100 ended, by the (orgId, status, expiresAt) index. Not measured yet for want of a seeded lease set.
  '/[orgSlug]/credentials': 'not measured yet: credential templates (few) and bounded lease lists (at most 500 active, 500 stuck, 100 ended)',
}

type Role = 'admin' | 'governance' | 'member' | 'auditor' | 'owner' | 'reviewer'
type Page = { name: string; route: string; url: string; as: Role; raw: (r: Raw) => Promise<unknown> }

// ---- setup ---------------------------------------------------------------------------------------------------

async function ensureSeeded(raw: Raw) {
  const org = await raw.one<{ id: string } | undefined>(`SELECT "id" FROM "Organization" WHERE "slug" = 'acme'`)
  const n = org ? Number((await raw.one<{ n: number }>(`SELECT COUNT(*) AS n FROM "Identity" WHERE "orgId" = ?`, [org.id])).n) : 0
  if (org && Math.abs(n - scale) <= scale * 0.02) return log(`reusing the seeded organization (${n} identities, ${engine})`)
  log(`seeding ${scale} identities into ${engine} (this takes a while at 1,000,000)…`)
  const t = performance.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--identities', String(scale), '--reset'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl },
    stdio: 'inherit',
  })
  if (r.status !== 0) throw new Error('seeding failed')
  log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`)
}

function startServer(): ChildProcess {
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), CUSTODIAN_DEMO: 'true', NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const tail = serverOutput
  const keep = (b: Buffer) => {
    tail.push(String(b))
    if (tail.length > 50) tail.shift()
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  child.on('exit', (code) => {
    if (code && !stopping) {
      console.error(tail.join(''))
      console.error(`bench pages: the server exited (${code})`)
      process.exit(1)
    }
  })
  return child
}
let stopping = false
/** The server's last lines, shown when the benchmark fails. */
const serverOutput: string[] = []

async function waitHealthy(timeoutMs = 15 * 60_000) {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 1000))
  }
  throw new Error('the server did not start')
}

const signIn = (email: string) => demoSignIn(base, email)

/** Posts a server action the way Next's client does (the id comes from the build's manifest). */
async function callAction(cookie: string, page: string, file: string, name: string, input: unknown) {
  const distDir = process.env.NEXT_DIST_DIR ?? '.next'
  const manifest = JSON.parse(fs.readFileSync(path.join(root, distDir, 'server', 'server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { filename: string; exportedName: string }>
  }
  const id = Object.entries(manifest.node).find(([, v]) => v.filename === file && v.exportedName === name)?.[0]
  if (!id) throw new Error(`${file}#${name} is not in the build`)
  // A kept-alive socket idle past the server's keep-alive timeout (a slow raw query ran in between) is closed under a
  // POST, which is not retried: a request just before makes sure the POST goes out on a live one.
  for (let i = 0; i < 3; i++) {
    try {
      await (await fetch(`${base}/api/health`)).text()
      break
    } catch {
      // that socket was the dead one; the next try opens another
    }
  }
  const res = await fetch(`${base}${page}`, {
    method: 'POST',
    headers: { cookie, 'Next-Action': id, Accept: 'text/x-component', 'Content-Type': 'text/plain;charset=UTF-8', Origin: base },
    body: JSON.stringify([input]),
  })
  const text = await res.text()
  const line = text.split('\n').find((l) => /^[0-9a-f]+:\{"ok":/.test(l))
  const value = line ? JSON.parse(line.slice(line.indexOf(':') + 1)) : null
  if (!value?.ok) throw new Error(`${name} failed: ${text.slice(0, 400)}`)
  return value.data
}

/** A review campaign of about min(scale, 100,000) items, launched through the app (its job runs in the worker). */
/** Calls through the gateway a busy organization has: GATEWAY_CALLS over 30 days on one route from 2,000 identities. */
const GATEWAY_CALLS = Math.min(1_000_000, scale)

/** The seeded route, with GATEWAY_CALLS recorded calls (written once, set-based; the database's triggers count them). */
async function ensureGatewayCalls(raw: Raw, orgId: string): Promise<string> {
  const route = await raw.one<{ id: string } | undefined>(`SELECT "id" FROM "GatewayRoute" WHERE "orgId" = ? ORDER BY "createdAt" LIMIT 1`, [orgId])
  if (!route) throw new Error('the seed made no gateway route')
  const have = await raw.one<{ n: number | null }>(`SELECT SUM("calls") AS n FROM "GatewayCallDay" WHERE "orgId" = ? AND "routeKey" = ?`, [orgId, route.id])
  if (Number(have.n ?? 0) >= GATEWAY_CALLS * 0.9) return route.id
  log(`recording ${GATEWAY_CALLS} gateway calls over 30 days…`)
  const t = performance.now()
  const span = 30 * 86_400_000
  const now = Date.now()
  // i → caller (i % 2000), time spread evenly over 30 days, one in 50 refused, one in 5 a POST.
  const body = (series: string, at: string) => `
    INSERT INTO "GatewayCall" ("id", "orgId", "identityId", "tokenId", "routeId", "at", "method", "path", "status", "latencyMs", "bytesIn", "bytesOut", "decision", "requestId")
    SELECT 'benchgc' || s.i, ?, c."id", NULL, ?, ${at}, CASE WHEN s.i % 5 = 0 THEN 'POST' ELSE 'GET' END, '/orders/' || (s.i % 100),
           CASE WHEN s.i % 50 = 0 THEN 403 ELSE 200 END, 1.5, 0, 0, CASE WHEN s.i % 50 = 0 THEN 'deny' ELSE 'allow' END, 'benchreq' || s.i
    FROM ${series} JOIN (SELECT "id", ROW_NUMBER() OVER (ORDER BY "id") - 1 AS k FROM "Identity" WHERE "orgId" = ? AND "status" = 'active' ORDER BY "id" LIMIT 2000) c
      ON c.k = s.i % 2000`
  if (raw.engine === 'sqlite') {
    await raw.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${GATEWAY_CALLS}) ${body('n AS s', `${now} - (s.i * ${span} / ${GATEWAY_CALLS})`)}`,
      [orgId, route.id, orgId],
    )
  } else {
    await raw.run(
      body(`generate_series(1, ${GATEWAY_CALLS}) AS s(i)`, `to_timestamp((${now} - (s.i::bigint * ${span} / ${GATEWAY_CALLS})) / 1000.0) AT TIME ZONE 'UTC'`),
      [orgId, route.id, orgId],
    )
  }
  log(`recorded in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  return route.id
}

async function ensureCampaign(raw: Raw, orgId: string, cookie: string): Promise<{ id: string; launchSeconds: number | null }> {
  const existing = await raw.one<{ id: string } | undefined>(
    `SELECT "id" FROM "Campaign" WHERE "orgId" = ? AND "name" = 'Bench review' AND "status" = 'active'`,
    [orgId],
  )
  if (existing) return { id: existing.id, launchSeconds: null }
  const target = Math.min(scale, 100_000)
  // Whole sources, largest first, until the population reaches the target without overshooting it much.
  const sources = await raw.all<{ sourceId: string; n: number }>(
    `SELECT "sourceId", COUNT(*) AS n FROM "Identity" WHERE "orgId" = ? AND "status" <> 'deleted' GROUP BY "sourceId" ORDER BY n DESC`,
    [orgId],
  )
  const picked: string[] = []
  let total = 0
  for (const s of sources) {
    if (total >= target) break
    if (total + Number(s.n) > target * 1.3 && picked.length) continue
    picked.push(s.sourceId)
    total += Number(s.n)
  }
  const [gov] = await raw.all<{ id: string }>(`SELECT u."id" FROM "User" u WHERE u."email" = 'grace@acme.example'`)
  log(`launching a campaign of about ${total} items…`)
  const t = performance.now()
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
  const r = (await callAction(cookie, '/acme/campaigns/new', 'lib/campaigns/actions.ts', 'createCampaignAction', {
    orgSlug: 'acme',
    name: 'Bench review',
    type: 'identity',
    scope: { source: picked.join(',') },
    fallbackReviewerId: gov.id,
    dueAt: due,
    launch: true,
  })) as { id: string }
  for (;;) {
    const c = await raw.one<{ status: string; itemCount: number }>(`SELECT "status", "itemCount" FROM "Campaign" WHERE "id" = ?`, [r.id])
    if (c.status === 'active') {
      const secs = (performance.now() - t) / 1000
      log(`campaign launched: ${c.itemCount} items in ${secs.toFixed(1)} s (through the app: request, queue, worker)`)
      return { id: r.id, launchSeconds: secs }
    }
    if (c.status !== 'launching' && c.status !== 'draft') throw new Error(`the campaign is ${c.status}`)
    await new Promise((res) => setTimeout(res, 500))
  }
}

// ---- measuring -----------------------------------------------------------------------------------------------

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}

async function timePage(cookie: string, url: string) {
  let t0 = performance.now()
  let res: Response
  try {
    res = await fetch(base + url, { headers: { cookie }, redirect: 'manual' })
  } catch {
    // A kept-alive socket the server closed while a slow raw query ran (its keep-alive timeout is 5 s): the write fails
    // at once, before the server saw anything; the GET goes again on a new socket and is timed from there.
    t0 = performance.now()
    res = await fetch(base + url, { headers: { cookie }, redirect: 'manual' }).catch((err: Error) => {
      throw new Error(`${url}: ${err.message} (${String((err.cause as Error | undefined)?.message ?? '')})`)
    })
  }
  const ttfb = performance.now() - t0
  const body = await res.arrayBuffer()
  const total = performance.now() - t0
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${Buffer.from(body).toString('utf8').slice(0, 300)}`)
  return { ttfb, total, bytes: body.byteLength }
}

async function timeRaw(raw: Raw, fn: (r: Raw) => Promise<unknown>) {
  const t0 = performance.now()
  await fn(raw)
  return performance.now() - t0
}

// ---- main ----------------------------------------------------------------------------------------------------

async function main() {
  const routes = appRoutes()
  if (!pgUrl) fs.mkdirSync(path.join(root, '.tmp'), { recursive: true })
  let raw = await openRaw(dbUrl)
  // Migrate first (the seed needs the tables; start.mjs would do it too).
  spawnSync(process.execPath, ['scripts/db.mjs', 'deploy'], { cwd: root, env: { ...process.env, DATABASE_URL: dbUrl }, stdio: 'inherit' })
  await ensureSeeded(raw)
  await raw.close()
  raw = await openRaw(dbUrl)
  const org = await raw.one<{ id: string }>(`SELECT "id" FROM "Organization" WHERE "slug" = 'acme'`)

  log(`starting the production build on ${base} (${engine})…`)
  const server = startServer()
  const stop = () => {
    stopping = true
    try {
      process.kill(-server.pid!, 'SIGTERM')
    } catch {}
  }
  process.on('exit', stop)
  try {
    await waitHealthy()
    const people = {
      admin: 'ada@acme.example',
      governance: 'grace@acme.example',
      member: 'mo@acme.example',
      auditor: 'audrey@acme.example',
    }
    const cookies: Record<string, string> = {}
    for (const [role, email] of Object.entries(people)) cookies[role] = await signIn(email)
    const campaign = await ensureCampaign(raw, org.id, cookies.governance)
    // The busiest owner and reviewer, signed in as themselves (every seeded person may use the demo sign-in).
    const owner = await raw.one<{ email: string; n: number }>(
      `SELECT u."email", COUNT(*) AS n FROM "Identity" i JOIN "User" u ON u."id" = i."ownerId" WHERE i."orgId" = ? AND i."status" <> 'deleted' GROUP BY u."email" ORDER BY n DESC LIMIT 1`,
      [org.id],
    )
    const reviewer = await raw.one<{ email: string; n: number }>(
      `SELECT u."email", COUNT(*) AS n FROM "ReviewItem" r JOIN "User" u ON u."id" = r."reviewerId" WHERE r."campaignId" = ? GROUP BY u."email" ORDER BY n DESC LIMIT 1`,
      [campaign.id],
    )
    cookies.owner = await signIn(owner.email)
    cookies.reviewer = await signIn(reviewer.email)
    const most = await raw.one<{ id: string; grantCount: number }>(
      `SELECT "id", "grantCount" FROM "Identity" WHERE "orgId" = ? ORDER BY "grantCount" DESC LIMIT 1`,
      [org.id],
    )
    const typical = await raw.one<{ id: string }>(`SELECT "id" FROM "Identity" WHERE "orgId" = ? AND "grantCount" = 5 LIMIT 1`, [org.id]).catch(() => most)
    const gatewayRoute = await ensureGatewayCalls(raw, org.id)

    const pages = definePages({
      orgId: org.id,
      campaignId: campaign.id,
      most: most.id,
      typical: typical?.id ?? most.id,
      ownerEmail: owner.email,
      reviewerEmail: reviewer.email,
      gatewayRoute,
    })
    const covered = new Set(pages.map((p) => p.route))
    const missing = routes.filter((r) => !covered.has(r) && !(r in NOT_MEASURED))
    if (missing.length) {
      console.error(`bench pages: these pages are not measured — add them to bench/pages.ts (or to NOT_MEASURED, with the reason):\n  ${missing.join('\n  ')}`)
      process.exit(1)
    }

    if (stallMode) return await measureStall(pages, cookies)

    const results: Record<string, unknown>[] = []
    for (const p of pages.filter((x) => !only.length || only.some((o) => x.name.includes(o)))) {
      const cookie = cookies[p.as]
      await timePage(cookie, p.url) // warm-up (compiles nothing on a production build, fills caches as a person would)
      const times: { ttfb: number; total: number; bytes: number }[] = []
      for (let i = 0; i < runs; i++) times.push(await timePage(cookie, p.url))
      const rawTimes: number[] = []
      await timeRaw(raw, p.raw)
      for (let i = 0; i < runs; i++) rawTimes.push(await timeRaw(raw, p.raw))
      const ttfb = times.map((t) => t.ttfb)
      const total = times.map((t) => t.total)
      const row = {
        page: p.name,
        url: p.url,
        as: p.as,
        ttfbP50: pct(ttfb, 50),
        ttfbP95: pct(ttfb, 95),
        totalP50: pct(total, 50),
        totalP95: pct(total, 95),
        kb: Math.round(times[0].bytes / 1024),
        rawP50: pct(rawTimes, 50),
      }
      results.push(row)
      log(
        `${p.name.padEnd(44)} total p50 ${row.totalP50.toFixed(0).padStart(6)} ms  p95 ${row.totalP95.toFixed(0).padStart(6)} ms  ttfb p50 ${row.ttfbP50.toFixed(0).padStart(5)} ms  raw ${row.rawP50.toFixed(1)} ms`,
      )
    }
    writeResults(results, {
      campaignLaunchSeconds: campaign.launchSeconds,
      owner: `${owner.email} (${owner.n} identities)`,
      reviewer: `${reviewer.email} (${reviewer.n} items)`,
      mostGrants: most.grantCount,
    })
  } finally {
    await raw.close()
    stop()
  }
}

function definePages(x: {
  orgId: string
  campaignId: string
  most: string
  typical: string
  ownerEmail: string
  reviewerEmail: string
  gatewayRoute: string
}): Page[] {
  const o = x.orgId
  const page = (name: string, route: string, url: string, as: Role, rawFn: (r: Raw) => Promise<unknown>): Page => ({ name, route, url, as, raw: rawFn })
  const inv =
    (where: string, order = `"riskScore" DESC, "id" DESC`, offset = 0, params: unknown[] = []) =>
    async (r: Raw) => {
      await r.all(
        `SELECT "id", "name", "kind", "environment", "status", "lastUsedAt", "riskScore" FROM "Identity" WHERE "orgId" = ? AND "status" <> 'deleted' ${where} ORDER BY ${order} LIMIT 50 OFFSET ${offset}`,
        [o, ...params],
      )
      await r.one(`SELECT COUNT(*) AS n FROM "Identity" WHERE "orgId" = ? AND "status" <> 'deleted' ${where}`, [o, ...params])
    }
  const yearAgo = new Date(Date.now() - 365 * 86_400_000)
  const dormantCut = new Date(Date.now() - 90 * 86_400_000)
  const findingIn = (code: string) =>
    `AND EXISTS (SELECT 1 FROM "Finding" f WHERE f."identityId" = "Identity"."id" AND f."orgId" = '${o}' AND f."status" = 'open' AND f."owaspCode" = '${code}')`
  return [
    page('sign-in', '/sign-in', '/sign-in', 'member', async (r) => r.all(`SELECT "email" FROM "User" WHERE "demo" = ? LIMIT 10`, [true])),
    page('dashboard', '/[orgSlug]', '/acme', 'governance', async (r) =>
      r.one(`SELECT "metrics" FROM "MetricSnapshot" WHERE "orgId" = ? ORDER BY "day" DESC LIMIT 1`, [o]),
    ),
    page('inventory, default view', '/[orgSlug]/identities', '/acme/identities', 'governance', inv('')),
    page(
      'inventory, kind = service account',
      '/[orgSlug]/identities',
      '/acme/identities?kind=service_account',
      'governance',
      inv(`AND "kind" = 'service_account'`),
    ),
    page('inventory, production', '/[orgSlug]/identities', '/acme/identities?env=production', 'governance', inv(`AND "environment" = 'production'`)),
    page(
      'inventory, unowned + privileged',
      '/[orgSlug]/identities',
      '/acme/identities?owner=unowned&privileged=yes',
      'governance',
      inv(`AND "ownerId" IS NULL AND "privileged" = ?`, undefined, 0, [true]),
    ),
    page(
      'inventory, dormant',
      '/[orgSlug]/identities',
      '/acme/identities?dormant=yes',
      'governance',
      inv(`AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ?)`, undefined, 0, [dormantCut]),
    ),
    page(
      'inventory, secret older than a year',
      '/[orgSlug]/identities',
      '/acme/identities?credAge=365',
      'governance',
      inv(`AND "oldestSecretAt" < ?`, undefined, 0, [yearAgo]),
    ),
    page('inventory, high risk', '/[orgSlug]/identities', '/acme/identities?risk=high', 'governance', inv(`AND "riskScore" >= 70`)),
    page('inventory, finding NHI5', '/[orgSlug]/identities', '/acme/identities?finding=NHI5', 'governance', inv(findingIn('NHI5'))),
    page('inventory, finding NHI1', '/[orgSlug]/identities', '/acme/identities?finding=NHI1', 'governance', inv(findingIn('NHI1'))),
    page(
      'inventory, search "payments"',
      '/[orgSlug]/identities',
      '/acme/identities?q=payments',
      'governance',
      // The same trigram index the app reads (FTS5 on SQLite, pg_trgm on PostgreSQL).
      (r: Raw) =>
        inv(
          r.engine === 'sqlite'
            ? `AND "id" IN (SELECT s."identityId" FROM "IdentitySearchFts" f JOIN "IdentitySearch" s ON s."rowId" = f."rowid" WHERE f."body" LIKE ?)`
            : `AND "id" IN (SELECT "identityId" FROM "IdentitySearch" WHERE "body" LIKE ?)`,
          undefined,
          0,
          ['%payments%'],
        )(r),
    ),
    page(
      'inventory, sort by name, page 200',
      '/[orgSlug]/identities',
      '/acme/identities?sort=name&dir=asc&page=200',
      'governance',
      inv('', `"name", "id"`, 199 * 50),
    ),
    page(
      'inventory, sort by name descending, page 200',
      '/[orgSlug]/identities',
      '/acme/identities?sort=name&dir=desc&page=200',
      'governance',
      inv('', `"name" DESC, "id" DESC`, 199 * 50),
    ),
    page('inventory, sort by kind', '/[orgSlug]/identities', '/acme/identities?sort=kind&dir=asc', 'governance', inv('', `"kind", "name", "id"`)),
    page(
      'inventory, sort by environment descending',
      '/[orgSlug]/identities',
      '/acme/identities?sort=environment&dir=desc',
      'governance',
      inv('', `"environment" DESC, "name" DESC, "id" DESC`),
    ),
    page('inventory, sort by status', '/[orgSlug]/identities', '/acme/identities?sort=status&dir=asc', 'governance', inv('', `"status", "name", "id"`)),
    page(
      'inventory, sort by grants descending',
      '/[orgSlug]/identities',
      '/acme/identities?sort=grantCount&dir=desc',
      'governance',
      inv('', `"grantCount" DESC, "id" DESC`),
    ),
    page(
      'inventory, sort by created, page 50',
      '/[orgSlug]/identities',
      '/acme/identities?sort=createdAt&dir=asc&page=50',
      'governance',
      inv('', `"createdAt", "id"`, 49 * 50),
    ),
    page('inventory, sort by risk ascending', '/[orgSlug]/identities', '/acme/identities?sort=riskScore&dir=asc', 'governance', inv('', `"riskScore", "id"`)),
    page(
      'inventory, sort by last used',
      '/[orgSlug]/identities',
      '/acme/identities?sort=lastUsedAt&dir=desc',
      'governance',
      inv('', `"lastUsedAt" DESC, "id" DESC`),
    ),
    page(
      'inventory, sort by secret age',
      '/[orgSlug]/identities',
      '/acme/identities?sort=oldestSecretAt&dir=asc',
      'governance',
      inv('', `"oldestSecretAt", "id"`),
    ),
    page('inventory, deep page (2,000)', '/[orgSlug]/identities', '/acme/identities?page=2000', 'governance', inv('', undefined, 1999 * 50)),
    page('inventory as member', '/[orgSlug]/identities', '/acme/identities', 'member', inv('')),
    page('identity with the most grants', '/[orgSlug]/identities/[identityId]', `/acme/identities/${x.most}`, 'governance', async (r) => {
      await r.one(`SELECT * FROM "Identity" WHERE "id" = ? AND "orgId" = ?`, [x.most, o])
      await r.all(
        `SELECT g."id", e."name" FROM "Grant" g JOIN "Entitlement" e ON e."id" = g."entitlementId" WHERE g."identityId" = ? AND g."orgId" = ? ORDER BY g."privileged" DESC, g."createdAt" DESC LIMIT 500`,
        [x.most, o],
      )
      await r.all(`SELECT * FROM "Credential" WHERE "identityId" = ? ORDER BY "createdAt" DESC LIMIT 100`, [x.most])
    }),
    page('identity, typical', '/[orgSlug]/identities/[identityId]', `/acme/identities/${x.typical}`, 'member', async (r) => {
      await r.one(`SELECT * FROM "Identity" WHERE "id" = ? AND "orgId" = ?`, [x.typical, o])
      await r.all(
        `SELECT g."id", e."name" FROM "Grant" g JOIN "Entitlement" e ON e."id" = g."entitlementId" WHERE g."identityId" = ? AND g."orgId" = ? ORDER BY g."privileged" DESC, g."createdAt" DESC LIMIT 500`,
        [x.typical, o],
      )
    }),
    ...(['governance', 'member', 'auditor', 'owner'] as const).map((as) =>
      page(`My identities as ${as === 'owner' ? `the busiest owner (${x.ownerEmail})` : as}`, '/[orgSlug]/my', '/acme/my', as, async (r) => {
        await r.all(
          `SELECT i."id" FROM "Identity" i JOIN "User" u ON u."id" = i."ownerId" WHERE i."orgId" = ? AND u."email" = ? AND i."status" <> 'deleted' ORDER BY i."riskScore" DESC LIMIT 50`,
          [o, as === 'owner' ? x.ownerEmail : 'mo@acme.example'],
        )
      }),
    ),
    page(`My reviews as the busiest reviewer (${x.reviewerEmail})`, '/[orgSlug]/reviews', '/acme/reviews', 'reviewer', async (r) => {
      await r.all(
        `SELECT r."id" FROM "ReviewItem" r JOIN "User" u ON u."id" = r."reviewerId" WHERE r."orgId" = ? AND u."email" = ? AND r."status" = 'pending' ORDER BY r."identityName", r."id" LIMIT 50`,
        [o, x.reviewerEmail],
      )
      await r.one(
        `SELECT COUNT(*) AS n FROM "ReviewItem" r JOIN "User" u ON u."id" = r."reviewerId" WHERE r."orgId" = ? AND u."email" = ? AND r."status" = 'pending'`,
        [o, x.reviewerEmail],
      )
    }),
    page('campaigns', '/[orgSlug]/campaigns', '/acme/campaigns', 'governance', async (r) =>
      r.all(`SELECT * FROM "Campaign" WHERE "orgId" = ? ORDER BY "createdAt" DESC LIMIT 50`, [o]),
    ),
    page('campaign page with statistics', '/[orgSlug]/campaigns/[campaignId]', `/acme/campaigns/${x.campaignId}`, 'governance', async (r) => {
      await r.all(`SELECT "reviewerId", "status", COUNT(*) AS n FROM "ReviewItem" WHERE "campaignId" = ? GROUP BY "reviewerId", "status"`, [x.campaignId])
      await r.all(`SELECT * FROM "ReviewItem" WHERE "campaignId" = ? ORDER BY "identityName" LIMIT 50`, [x.campaignId])
    }),
    page('new campaign form', '/[orgSlug]/campaigns/new', '/acme/campaigns/new', 'governance', async (r) =>
      r.all(`SELECT "userId" FROM "Membership" WHERE "orgId" = ?`, [o]),
    ),
    page('findings', '/[orgSlug]/findings', '/acme/findings', 'governance', async (r) => {
      await r.all(`SELECT f."id" FROM "Finding" f WHERE f."orgId" = ? AND f."status" = 'open' ORDER BY f."severityRank", f."id" LIMIT 50`, [o])
      await r.one(`SELECT COUNT(*) AS n FROM "Finding" WHERE "orgId" = ? AND "status" = 'open'`, [o])
    }),
    page('findings, critical in production', '/[orgSlug]/findings', '/acme/findings?severity=critical&env=production', 'governance', async (r) =>
      r.all(
        `SELECT f."id" FROM "Finding" f JOIN "Identity" i ON i."id" = f."identityId" WHERE f."orgId" = ? AND f."status" = 'open' AND f."severity" = 'critical' AND i."environment" = 'production' LIMIT 50`,
        [o],
      ),
    ),
    page('audit log', '/[orgSlug]/audit', '/acme/audit', 'auditor', async (r) =>
      r.all(`SELECT * FROM "AuditEvent" WHERE "orgId" = ? ORDER BY "seq" DESC LIMIT 50`, [o]),
    ),
    page('audit log, decisions only', '/[orgSlug]/audit', '/acme/audit?action=review', 'auditor', async (r) =>
      r.all(`SELECT * FROM "AuditEvent" WHERE "orgId" = ? AND "action" LIKE 'review%' ORDER BY "seq" DESC LIMIT 50`, [o]),
    ),
    page('jobs', '/[orgSlug]/jobs', '/acme/jobs', 'governance', async (r) =>
      r.all(`SELECT * FROM "Job" WHERE "orgId" = ? ORDER BY "createdAt" DESC LIMIT 50`, [o]),
    ),
    page('federation', '/[orgSlug]/federation', '/acme/federation', 'governance', async (r) => [
      await r.all(`SELECT * FROM "TrustProvider" WHERE "orgId" = ?`, [o]),
      await r.all(`SELECT "outcome", "reason" FROM "TokenExchange" WHERE "orgId" = ? AND "at" >= ? ORDER BY "at" DESC LIMIT 10001`, [
        o,
        new Date(Date.now() - 86_400_000),
      ]),
    ]),
    page('policies', '/[orgSlug]/policies', '/acme/policies', 'governance', async (r) => [
      await r.one(`SELECT "text", "version", "updatedAt" FROM "OrgPolicy" WHERE "orgId" = ?`, [o]),
      await r.all(`SELECT * FROM "OrgPolicyVersion" WHERE "orgId" = ? ORDER BY "version" DESC LIMIT 31`, [o]),
      await r.all(`SELECT "id", "name", "kind", "environment" FROM "Identity" WHERE "orgId" = ? AND "status" = 'active' ORDER BY "name" LIMIT 200`, [o]),
      await r.all(
        `SELECT g."id", g."name", r."environment" FROM "GatewayRoute" g JOIN "Resource" r ON r."id" = g."resourceId" WHERE g."orgId" = ? ORDER BY g."name" LIMIT 200`,
        [o],
      ),
    ]),
    page('sources', '/[orgSlug]/sources', '/acme/sources', 'governance', async (r) =>
      r.all(`SELECT "sourceId", COUNT(*) FROM "Identity" WHERE "orgId" = ? GROUP BY "sourceId"`, [o]),
    ),
    page('import a file', '/[orgSlug]/sources/import', '/acme/sources/import', 'governance', async (r) =>
      r.all(`SELECT * FROM "Source" WHERE "orgId" = ?`, [o]),
    ),
    page('settings (members)', '/[orgSlug]/settings', '/acme/settings', 'admin', async (r) =>
      r.all(`SELECT "ownerId", COUNT(*) FROM "Identity" WHERE "orgId" = ? GROUP BY "ownerId"`, [o]),
    ),
    page('posture settings', '/[orgSlug]/settings/posture', '/acme/settings/posture', 'admin', async (r) =>
      r.one(`SELECT "settings" FROM "Organization" WHERE "id" = ?`, [o]),
    ),
    page('reports', '/[orgSlug]/reports', '/acme/reports', 'auditor', async (r) =>
      r.all(
        `SELECT "id", "name", "status", "launchedAt", "closedAt", "itemCount" FROM "Campaign" WHERE "orgId" = ? AND "launchedAt" IS NOT NULL ORDER BY "launchedAt" DESC, "id" DESC LIMIT 200`,
        [o],
      ),
    ),
    page('scheduled reports', '/[orgSlug]/settings/reports', '/acme/settings/reports', 'admin', async (r) =>
      r.all(`SELECT * FROM "ReportSchedule" WHERE "orgId" = ? ORDER BY "createdAt" DESC`, [o]),
    ),
    page('API tokens', '/[orgSlug]/settings/api-tokens', '/acme/settings/api-tokens', 'admin', async (r) =>
      r.all(`SELECT * FROM "ApiToken" WHERE "orgId" = ? ORDER BY "createdAt" DESC LIMIT 500`, [o]),
    ),
    page('webhooks', '/[orgSlug]/settings/webhooks', '/acme/settings/webhooks', 'admin', async (r) => {
      const subs = await r.all(`SELECT * FROM "WebhookSubscription" WHERE "orgId" = ? ORDER BY "createdAt" DESC`, [o])
      await r.all(
        `SELECT "subscriptionId", "status", COUNT(*), MAX("createdAt") FROM "WebhookDelivery" WHERE "orgId" = ? GROUP BY "subscriptionId", "status"`,
        [o],
      )
      return r.all(`SELECT * FROM "WebhookDelivery" WHERE "orgId" = ? ORDER BY "createdAt" DESC, "id" DESC LIMIT 25`, [o]).then((rows) => [...subs, ...rows])
    }),
    page('inbox', '/[orgSlug]/inbox', '/acme/inbox', 'member', async (r) =>
      r.all(`SELECT * FROM "Notification" WHERE "orgId" = ? ORDER BY "createdAt" DESC LIMIT 50`, [o]),
    ),
    page('gateway routes', '/[orgSlug]/gateway', '/acme/gateway', 'admin', async (r) =>
      r.all(
        `SELECT "routeKey", SUM("calls") AS calls, SUM("refused") AS refused FROM "GatewayCallHour" WHERE "orgId" = ? AND "hour" >= ? GROUP BY "routeKey"`,
        [o, new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 23 * 3_600_000)],
      ),
    ),
    page(
      `gateway route with ${GATEWAY_CALLS.toLocaleString('en-US')} calls`,
      '/[orgSlug]/gateway/[routeId]',
      `/acme/gateway/${x.gatewayRoute}`,
      'admin',
      async (r) => {
        await r.all(
          `SELECT "identityKey", SUM("calls") AS calls, SUM("refused") AS refused, MAX("lastAt") AS "lastAt" FROM "GatewayCallDay" WHERE "orgId" = ? AND "routeKey" = ? AND "day" >= ? AND "calls" > 0 GROUP BY "identityKey"`,
          [o, x.gatewayRoute, new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 29 * 86_400_000)],
        )
        await r.all(`SELECT * FROM "GatewayCall" WHERE "orgId" = ? AND "routeId" = ? ORDER BY "at" DESC, "id" DESC LIMIT 50`, [o, x.gatewayRoute])
      },
    ),
    page('owner requests', '/[orgSlug]/requests', '/acme/requests', 'governance', async (r) =>
      r.all(`SELECT * FROM "OwnerRequest" WHERE "orgId" = ? ORDER BY "createdAt" DESC LIMIT 50`, [o]),
    ),
  ]
}

/** The candidates for "the heaviest request": the pages that read the most rows. */
const HEAVY = [
  'inventory, finding NHI1',
  'inventory, finding NHI5',
  'inventory, secret older than a year',
  'inventory, search "payments"',
  'inventory, deep page (2,000)',
  'identity with the most grants',
  'My identities as the busiest owner',
  'findings',
  'settings (members)',
]
const LIGHT = ['dashboard', 'posture settings']

async function measureStall(pages: Page[], cookies: Record<string, string>) {
  const byName = (n: string) => pages.find((p) => p.name.startsWith(n))
  // The heaviest: the slowest of the candidates, each timed twice after a warm-up.
  let heavy: { page: Page; ms: number } | null = null
  // --heavy <page name prefix> skips the search for the heaviest and runs that page.
  const only = argv.includes('--heavy') ? argv[argv.indexOf('--heavy') + 1] : null
  for (const name of only ? [only] : HEAVY) {
    const p = byName(name)
    if (!p) continue
    await timePage(cookies[p.as], p.url)
    const ms = Math.max((await timePage(cookies[p.as], p.url)).total, (await timePage(cookies[p.as], p.url)).total)
    log(`heavy candidate ${p.name}: ${ms.toFixed(0)} ms`)
    if (!heavy || ms > heavy.ms) heavy = { page: p, ms }
  }
  if (!heavy) throw new Error('no heavy page to run')
  const requests = Math.max(20, runs * 5)
  const rows: Record<string, unknown>[] = []
  for (const name of LIGHT) {
    const light = byName(name)!
    await timePage(cookies[light.as], light.url)
    const alone: number[] = []
    for (let i = 0; i < requests; i++) alone.push((await timePage(cookies[light.as], light.url)).total)
    // Another user keeps the heaviest page running while this one opens the light page every 100 ms or so.
    let running = true
    const heavyTimes: number[] = []
    const loop = (async () => {
      while (running) heavyTimes.push((await timePage(cookies[heavy.page.as], heavy.page.url)).total)
    })()
    await new Promise((r) => setTimeout(r, 200))
    const loaded: number[] = []
    for (let i = 0; i < requests; i++) {
      loaded.push((await timePage(cookies[light.as], light.url)).total)
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100))
    }
    running = false
    await loop
    const row = {
      light: light.name,
      heavy: heavy.page.name,
      requests,
      aloneP50: pct(alone, 50),
      aloneP95: pct(alone, 95),
      loadedP50: pct(loaded, 50),
      loadedP95: pct(loaded, 95),
      loadedMax: Math.max(...loaded),
      heavyP50: pct(heavyTimes, 50),
      heavyRuns: heavyTimes.length,
    }
    rows.push(row)
    log(
      `${light.name} alone p50 ${row.aloneP50.toFixed(0)} / p95 ${row.aloneP95.toFixed(0)} ms; beside "${heavy.page.name}" (${row.heavyRuns} runs, p50 ${row.heavyP50.toFixed(0)} ms): p50 ${row.loadedP50.toFixed(0)} / p95 ${row.loadedP95.toFixed(0)} / max ${row.loadedMax.toFixed(0)} ms`,
    )
  }
  const day = new Date().toISOString().slice(0, 10)
  const dir = scale >= 10_000 ? path.join(root, 'bench', 'results') : path.join(root, '.tmp', 'bench-results')
  fs.mkdirSync(dir, { recursive: true })
  const name = `${day}-stall-${engine}-${scale}`
  const ms = (v: unknown) => (typeof v === 'number' ? v.toFixed(0) : '')
  const lines = [
    `# A light page while another user runs the heaviest — ${scale.toLocaleString('en-US')} identities, ${engine}`,
    '',
    `${new Date().toISOString()} · production build, ${webProcesses} · ${requests} light requests alone, then as many beside a loop of the heaviest page (another signed-in user) · ${process.platform} ${process.arch}, node ${process.version}, ${cpus} CPUs (shared with other work).`,
    `The heaviest page is the slowest of: ${HEAVY.join('; ')}. Times in milliseconds until the whole response arrived. Target: light p95 under 500 ms.`,
    '',
    '| light page | alone p50 | alone p95 | beside the heavy p50 | p95 | max | heavy page | its p50 | its runs |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.light} | ${ms(r.aloneP50)} | ${ms(r.aloneP95)} | ${ms(r.loadedP50)} | ${ms(r.loadedP95)} | ${ms(r.loadedMax)} | ${r.heavy} | ${ms(r.heavyP50)} | ${r.heavyRuns} |`,
    ),
    '',
  ]
  fs.writeFileSync(path.join(dir, `${name}.md`), lines.join('\n'))
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ scale, engine, rows }, null, 2))
  log(`results written to ${path.relative(root, path.join(dir, `${name}.md`))}`)
}

function writeResults(rows: Record<string, unknown>[], meta: Record<string, unknown>) {
  const day = new Date().toISOString().slice(0, 10)
  // Smoke runs (npm test) and partial runs (--only) write under .tmp: only full runs at real scales belong in bench/results/.
  const dir = scale >= 10_000 && !only.length ? path.join(root, 'bench', 'results') : path.join(root, '.tmp', 'bench-results')
  fs.mkdirSync(dir, { recursive: true })
  const name = `${day}-pages-${engine}-${scale}`
  const ms = (v: unknown) => (typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '')
  const lines = [
    `# Pages over HTTP — ${scale.toLocaleString('en-US')} identities, ${engine}`,
    '',
    `${new Date().toISOString()} · production build, ${webProcesses} · ${runs} requests per page after one warm-up · ${process.platform} ${process.arch}, node ${process.version}, ${cpus} CPUs.`,
    `Times in milliseconds: time to first byte (TTFB) and until the whole response arrived (pages stream), p50 and p95; "raw" is the driver alone running hand-written SQL for the page's main data (p50), and "×" the whole page's p50 over it.`,
    '',
    ...Object.entries(meta).map(([k, v]) => `- ${k}: ${v ?? '—'}`),
    '',
    '| page | as | total p50 | total p95 | TTFB p50 | TTFB p95 | KiB | raw p50 | × |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.page} | ${r.as} | ${ms(r.totalP50)} | ${ms(r.totalP95)} | ${ms(r.ttfbP50)} | ${ms(r.ttfbP95)} | ${r.kb} | ${ms(r.rawP50)} | ${((r.totalP50 as number) / Math.max(0.1, r.rawP50 as number)).toFixed(0)} |`,
    ),
    '',
  ]
  fs.writeFileSync(path.join(dir, `${name}.md`), lines.join('\n'))
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ scale, engine, runs, meta, rows }, null, 2))
  log(`results written to ${path.relative(root, path.join(dir, `${name}.md`))}`)
}
const cpus = (await import('node:os')).cpus().length

main().catch((err) => {
  if (serverOutput.length) console.error(`bench pages: the server's last output:\n${serverOutput.join('')}`)
  console.error('bench pages:', err instanceof Error ? `${err.message}${err.cause ? ` (${String((err.cause as Error).message ?? err.cause)})` : ''}` : err)
  process.exit(1)
})
