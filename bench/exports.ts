// Export rate, time to first byte and peak memory of the streamed reports, read only.
// In-process (default): the generators on the database in DATABASE_URL, streamed through textStream as the download
// routes stream them (no audit row).
//   DATABASE_URL=... node --conditions=react-server --import tsx bench/exports.ts [--org acme] [--only inventory|access] [--max-rows N]
// Over HTTP (--url): the download routes of a running server (CUSTODIAN_DEMO=true), signed in as a demo person with
// report:export (--email, default the org's first auditor), downloaded by curl into a file (a Node client reading 250 MB
// took a core from the server on two: 60-77k rows/s against 130-146k with curl); the lines are counted afterwards.
// Memory is the server's (--pid: its process id, sampled every 50 ms from /proc), before the download and at its peak.
//   DATABASE_URL=... node --conditions=react-server --import tsx bench/exports.ts --url http://127.0.0.1:3499 --pid N
// Beside them (--raw): the raw driver (bench/raw.ts) reading the same pages with hand-written SQL — page ends found
// ahead, the identities of each page, their credential figures and open findings (access: the page's grants) — rows as
// objects, nothing written out: what the database alone does for the same work, on one connection.
// --max-rows N stops reading after about N lines: memory is flat after a few pages, so a part shows the peak sooner.
import { execFile } from 'node:child_process'
import { createReadStream, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { accessCsv, inventoryCsv } from '@/lib/reports/inventory'
import { textStream } from '@/lib/reports/stream'
import { arg, args, databaseUrl, demoSignIn } from './measure'
import { openRaw } from './raw'

const slug = arg('--org', 'acme')
const only = arg('--only', '')
const maxRows = Number(arg('--max-rows', 'Infinity'))
const base = arg('--url', '')
const pid = arg('--pid', 'self')
const url = databaseUrl()
const mib = (b: number) => Math.round(b / 1048576)
const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
/** Resident set size now and its peak so far (Linux VmRSS, VmHWM) of the measured process, in bytes. */
const rss = () => status('VmRSS')
const peakRss = () => status('VmHWM')

// The organization (and the auditor to sign in as) looked up by the raw driver, not Prisma: on SQLite the export itself
// never uses Prisma, whose engine would add ~45 MiB to this process before the export starts (a web process holds it
// anyway; what is measured here is the export).
const lookup = await openRaw(url)
const org = await lookup.one<{ id: string; slug: string; name: string }>(`SELECT "id", "slug", "name" FROM "Organization" WHERE "slug" = ?`, [slug])
if (!org) throw new Error(`no organization "${slug}" in DATABASE_URL`)
const auditor = await lookup.one<{ email: string } | undefined>(
  `SELECT u."email" FROM "Membership" m JOIN "User" u ON u."id" = m."userId" WHERE m."orgId" = ? AND m."role" = 'auditor' AND u."demo" = ? ORDER BY u."email" LIMIT 1`,
  [org.id, true],
)
await lookup.close()
const ctx = { org }
let cookie = ''
if (base) {
  const email = arg('--email', '') || auditor?.email
  if (!email) throw new Error('no demo auditor in the organization: pass --email')
  cookie = await demoSignIn(base, email)
}

/** The report streamed in-process, as the download route streams it. */
async function* inProcess(name: 'inventory' | 'access'): AsyncGenerator<Uint8Array> {
  const reader = textStream(name === 'inventory' ? inventoryCsv(ctx, { now: new Date() }) : accessCsv(ctx)).getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    await reader.cancel()
  }
}

/** The route's body over HTTP, downloaded by curl into a file and read back once it is complete (first byte: curl's). */
async function* overHttp(name: 'inventory' | 'access', timing: { firstMs?: number; end?: number }): AsyncGenerator<Uint8Array> {
  const file = path.join(os.tmpdir(), `custodian-bench-${name}-${process.pid}.csv`)
  try {
    const { stdout } = await promisify(execFile)('curl', [
      '-sS',
      '-o',
      file,
      '-H',
      `cookie: ${cookie}`,
      '-w',
      '%{http_code} %{time_starttransfer}',
      `${base}/api/orgs/${slug}/reports/${name}`,
    ])
    const [code, first] = stdout.split(' ')
    if (code !== '200') throw new Error(`${name}: HTTP ${code} ${readFileSync(file, 'utf8').slice(0, 200)}`)
    timing.firstMs = Number(first) * 1000
    timing.end = performance.now()
    yield* createReadStream(file, { highWaterMark: 1 << 20 })
  } finally {
    rmSync(file, { force: true })
  }
}

async function measure(name: 'inventory' | 'access') {
  const rssBefore = rss()
  const peakBefore = peakRss()
  let maxRss = rssBefore
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rss())), 50)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  let first = 0
  let bytes = 0
  let lines = 0
  const timing: { firstMs?: number; end?: number } = {}
  for await (const value of base ? overHttp(name, timing) : inProcess(name)) {
    if (!first) first = timing.firstMs ?? performance.now() - t0
    bytes += value.length
    // Line feeds counted with memchr (Buffer#indexOf), not a JavaScript loop over every byte: the count is the bench's
    // own work and shares the thread the export writes its pages on.
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++
    if (lines > maxRows) break
  }
  const secs = ((timing.end ?? performance.now()) - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const cpuSecs = (cpu.user + cpu.system) / 1e6
  clearInterval(sampler)
  const rows = lines - 1
  const r = {
    report: name,
    over: base ? 'http' : 'in-process',
    rows,
    complete: lines <= maxRows,
    seconds: Math.round(secs * 10) / 10,
    rowsPerSecond: Math.round(rows / secs),
    // in-process, on a shared machine the process waits for a core: rows per second of its own CPU time says what the
    // code costs (over HTTP: this process's, not curl's or the server's)
    cpuSeconds: Math.round(cpuSecs * 10) / 10,
    rowsPerCpuSecond: Math.round(rows / cpuSecs),
    firstChunkMs: Math.round(first),
    mebibytes: mib(bytes),
    rssBeforeMiB: mib(rssBefore),
    rssMaxSampledMiB: mib(maxRss),
    peakRssBeforeMiB: mib(peakBefore),
    peakRssMiB: mib(peakRss()),
  }
  console.error(JSON.stringify(r))
  return r
}

/** The raw driver reading the report's pages (see the top of this file): rows a second, and the time. */
async function rawPages(name: 'inventory' | 'access') {
  const raw = await openRaw(url)
  const pg = raw.engine === 'postgresql'
  const take = name === 'inventory' ? 1000 : 200
  const now = pg ? new Date() : Date.now()
  const range = (col: string, upTo: string | null) => (upTo === null ? `${col} > ?` : `${col} > ? AND ${col} <= ?`)
  const t0 = performance.now()
  let rows = 0
  for (let after: string | null = ''; after !== null;) {
    const end: { id: string } | undefined = await raw.one<{ id: string }>(
      `SELECT "id" FROM "Identity" WHERE "orgId" = ? AND "id" > ? ORDER BY "id" LIMIT 1 OFFSET ${take - 1}`,
      [org.id, after],
    )
    const upTo: string | null = end?.id ?? null
    const bounds = upTo === null ? [after] : [after, upTo]
    if (name === 'inventory') {
      rows += (
        await raw.all(
          `SELECT "id", "name", "kind", "environment", "status", "privileged", "lastUsedAt", "externalId", "sourceId", "ownerId", "backupOwnerId", "teamId"
           FROM "Identity" WHERE "orgId" = ? AND ${range('"id"', upTo)} ORDER BY "id"`,
          [org.id, ...bounds],
        )
      ).length
      await raw.all(
        `SELECT "identityId", COUNT(*), MIN(COALESCE("lastRotatedAt", "createdAt")), MIN(CASE WHEN "expiresAt" > ? THEN "expiresAt" END), COUNT(CASE WHEN "expiresAt" <= ? THEN 1 END)
         FROM "Credential" WHERE ${range('"identityId"', upTo)} AND "status" = 'active' GROUP BY "identityId"`,
        [now, now, ...bounds],
      )
      await raw.all(
        `SELECT "identityId", ${pg ? `string_agg("owaspCode" || chr(31) || "rule", chr(30))` : `group_concat("owaspCode" || char(31) || "rule", char(30))`}
         FROM "Finding" WHERE ${range('"identityId"', upTo)} AND "status" = 'open' GROUP BY "identityId"`,
        bounds,
      )
    } else {
      rows += (
        await raw.all(
          `SELECT g."id", i."id", i."name", i."kind", i."status", s."name", e."name", r."name", r."type", g."privileged", g."createdAt", g."lastUsedAt", g."usageReported"
           FROM "Identity" i JOIN "Source" s ON s."id" = i."sourceId" JOIN "Grant" g ON g."identityId" = i."id" AND g."status" = 'active'
           LEFT JOIN "Entitlement" e ON e."id" = g."entitlementId" LEFT JOIN "Resource" r ON r."id" = e."resourceId"
           WHERE i."orgId" = ? AND ${range('i."id"', upTo)} ORDER BY i."id", g."id"`,
          [org.id, ...bounds],
        )
      ).length
    }
    after = upTo
  }
  await raw.close()
  const secs = (performance.now() - t0) / 1000
  const r = { report: name, over: 'raw driver', rows, seconds: Math.round(secs * 10) / 10, rowsPerSecond: Math.round(rows / secs) }
  console.error(JSON.stringify(r))
  return r
}

const out: Record<string, unknown> = { org: slug, engine: url.startsWith('file:') ? 'sqlite' : 'postgresql' }
const run = args.includes('--raw') ? rawPages : measure
if (!only || only === 'inventory') out.inventory = await run('inventory')
if (!only || only === 'access') out.access = await run('access')
console.log(JSON.stringify(out))
process.exit(0)
