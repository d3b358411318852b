// Export rate, time to first byte and peak memory of the streamed reports on the database in DATABASE_URL, read only
// (no audit row: the generators are measured as the routes stream them, through textStream).
// Run: DATABASE_URL=... node --conditions=react-server --import tsx bench/exports.ts [--org acme] [--only inventory|access]
// [--max-rows N] (stop reading after about N lines: memory is flat after a few pages, so a part shows the peak sooner)
import { readFileSync } from 'node:fs'
import { db } from '@/lib/db'
import { accessCsv, inventoryCsv } from '@/lib/reports/inventory'
import { textStream, type TextSource } from '@/lib/reports/stream'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const slug = arg('--org', 'acme')
const only = arg('--only', '')
const maxRows = Number(arg('--max-rows', 'Infinity'))
const url = process.env.DATABASE_URL
if (!url) throw new Error('Set DATABASE_URL to a seeded database')
const mib = (b: number) => Math.round(b / 1048576)
/** Peak resident set size of this process so far (Linux VmHWM), in bytes. */
const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024

const org = await db.organization.findUniqueOrThrow({ where: { slug }, select: { id: true, slug: true, name: true } })
const ctx = { org }

async function measure(name: string, source: TextSource) {
  const rssBefore = process.memoryUsage().rss
  const peakBefore = peakRss()
  let maxRss = rssBefore
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 50)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  let first = 0
  let bytes = 0
  let lines = 0
  const reader = textStream(source).getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (!first) first = performance.now() - t0
    bytes += value.length
    // Line feeds counted with memchr (Buffer#indexOf), not a JavaScript loop over every byte: the count is the bench's
    // own work and shares the thread the export writes its pages on.
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++
    if (lines > maxRows) {
      await reader.cancel()
      break
    }
  }
  const secs = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const cpuSecs = (cpu.user + cpu.system) / 1e6
  clearInterval(sampler)
  const rows = lines - 1
  const r = {
    report: name,
    rows,
    complete: lines <= maxRows,
    seconds: Math.round(secs * 10) / 10,
    rowsPerSecond: Math.round(rows / secs),
    // on a shared machine the process waits for a core: rows per second of its own CPU time says what the code costs
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

const out: Record<string, unknown> = { org: slug, engine: url.startsWith('file:') ? 'sqlite' : 'postgresql' }
if (!only || only === 'inventory') out.inventory = await measure('inventory', inventoryCsv(ctx, { now: new Date() }))
if (!only || only === 'access') out.access = await measure('access', accessCsv(ctx))
console.log(JSON.stringify(out))
process.exit(0)
