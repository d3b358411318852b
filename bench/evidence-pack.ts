// The evidence pack as the Reports page makes it: started as a `report_export` job for an auditor, run by the worker
// (drainJobs, in this process), its progress read back from the export row while it runs; then the ZIP checked with
// scripts/verify-evidence.mjs. Writes to the database (the export, its job and audit rows, the org key if missing):
// run it on a copy. Run: DATABASE_URL=file:<copy> node --conditions=react-server --import tsx bench/evidence-pack.ts
// --campaign <id> [--org acme]
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { exportFile } from '@/lib/reports/export-files'
import { startExport } from '@/lib/reports/exports'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const slug = arg('--org', 'acme')
const campaign = arg('--campaign', '')
const mib = (b: number) => Math.round(b / 1048576)
const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024

const org = await db.organization.findUniqueOrThrow({ where: { slug }, select: { id: true, slug: true, name: true } })
const auditor = await db.membership.findFirstOrThrow({ where: { orgId: org.id, role: { in: ['auditor', 'admin'] } }, include: { user: true } })
const ctx: UserCtx = {
  org,
  actor: { type: 'user', id: auditor.user.id, label: auditor.user.email },
  user: { id: auditor.user.id, name: auditor.user.name, email: auditor.user.email },
  role: auditor.role as UserCtx['role'],
}

// The process before the pack: Node, tsx, both Prisma clients and every job's code (the worker's registry).
const rssBeforeMiB = mib(process.memoryUsage().rss)
const peakBeforeMiB = mib(peakRss())
const t0 = performance.now()
const cpu0 = process.cpuUsage()
const { id } = await startExport(ctx, { kind: 'evidence-pack', campaign })
const startedMs = Math.round(performance.now() - t0)
const seen: string[] = []
const sampler = setInterval(() => {
  void db.reportExport.findUnique({ where: { id }, select: { status: true, rows: true, detail: true } }).then((e) => {
    const line = `${Math.round((performance.now() - t0) / 1000)}s rss ${mib(process.memoryUsage().rss)} MiB ${e?.status} ${e?.rows} ${e?.detail ?? ''}`
    seen.push(line)
    console.error(line)
  })
}, 2000)
await drainJobs()
clearInterval(sampler)
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
const e = await db.reportExport.findUniqueOrThrow({ where: { id } })

const dir = mkdtempSync(join(tmpdir(), 'bench-pack-'))
let verified = 'not run'
try {
  const v0 = performance.now()
  spawnSync('unzip', ['-q', exportFile(e), '-d', dir])
  const folder = join(dir, readdirSync(dir)[0])
  const key = await db.orgKey.findFirstOrThrow({ where: { orgId: org.id, retiredAt: null } })
  const r = spawnSync('node', ['scripts/verify-evidence.mjs', folder, key.kid], { encoding: 'utf8' })
  verified = `${r.status === 0 ? 'ok' : 'FAILED'} in ${Math.round((performance.now() - v0) / 1000)} s: ${r.stdout.trim().split('\n').at(-1)}`
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(
  JSON.stringify({
    status: e.status,
    error: e.error,
    startExportMs: startedMs,
    seconds: Math.round(seconds),
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e6),
    csvRecords: e.rows,
    zipMiB: mib(e.bytes ?? 0),
    rssBeforeMiB,
    peakBeforeMiB,
    peakRssMiB: mib(peakRss()),
    progressSamples: seen.length,
    verified,
  }),
)
process.exit(0)
