// Import throughput: writes a generic CSV of IMPORT_BENCH_ROWS rows (default 1,000,000: one identity per row,
// each with a credential and a grant), then imports it into a fresh organization of DATABASE_URL through the
// same reader and sync engine the import job uses. Prints rows per second and peak RSS as the last line (JSON).
// Run: DATABASE_URL=file:$PWD/.tmp/imports-bench.db node --conditions=react-server --import tsx bench/imports.ts
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { once } from 'node:events'
import { deploy } from '../scripts/db.mjs'

const rows = Number(process.env.IMPORT_BENCH_ROWS ?? 1_000_000)
const root = path.resolve(import.meta.dirname, '..')
const file = path.join(root, '.tmp', `imports-bench-${rows}.csv`)

const KINDS = ['service_account', 'api_key', 'oauth_app', 'bot', 'ci_cd', 'workload', 'ai_agent', 'certificate']
const ENVS = ['production', 'staging', 'development', 'test']
const CRED = ['access_key', 'token', 'password', 'ssh_key', 'client_secret']

async function writeCsv() {
  if (fs.existsSync(file) && process.env.IMPORT_BENCH_REGENERATE !== '1') return
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const out = fs.createWriteStream(file)
  out.write(
    'name,external_id,kind,environment,owner_email,created_at,last_used_at,credential_kind,credential_id,credential_created_at,credential_expires_at,resource,permission,privileged,tags\n',
  )
  const day = (n: number) => new Date(Date.UTC(2025, 10, 1) - n * 86_400_000).toISOString().slice(0, 10)
  let buf = ''
  for (let i = 0; i < rows; i++) {
    const kind = KINDS[i % KINDS.length]
    const res = `resource-${i % 500}`
    const perm = ['read', 'write', 'admin'][i % 3]
    buf +=
      `svc-${i}${i % 7 === 0 ? ' "quoted, name"' : ''},ext-${i},${kind},${ENVS[i % 4]},,${day(400 + (i % 900))},${i % 5 ? day(i % 120) : ''},${CRED[i % 5]},cred-${i},${day(300 + (i % 600))},${i % 4 ? '' : day(-(i % 365))},${res},${perm},${perm === 'admin'},${i % 10 ? '' : `team=t${i % 40};app=a${i % 90}`}\n`.replace(
        /^svc-(\d+) "quoted, name"/,
        '"svc-$1 ""quoted, name"""',
      )
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.end(buf)
  await once(out, 'finish')
}

async function main() {
  await deploy({ quiet: true })
  const t0 = performance.now()
  await writeCsv()
  const genSeconds = (performance.now() - t0) / 1000
  const { db } = await import('../lib/db')
  const { applyDiscovery } = await import('../lib/connectors/sync')
  const { systemContext } = await import('../lib/auth/org-context')
  const { readImportFile } = await import('../lib/connectors/import/formats')
  await import('./as-job-worker')
  const org = await db.organization.create({ data: { slug: `bench-import-${randomBytes(3).toString('hex')}`, name: 'Import bench' } })
  const source = await db.source.create({ data: { orgId: org.id, name: 'bench csv', type: 'csv', config: '{"importFormat":"generic_csv"}' } })
  const system = systemContext(org, { type: 'import_file', id: null })
  let peak = process.memoryUsage().rss
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
  const start = performance.now()
  let last = start
  const result = await applyDiscovery(system, source.id, readImportFile('generic_csv', file), {
    mode: 'full',
    onProgress: (p) => {
      peak = Math.max(peak, process.memoryUsage().rss)
      if (performance.now() - last > 10_000) {
        last = performance.now()
        console.error(
          `imports bench: ${p.processed} records, ${Math.round(p.processed / 3 / ((last - start) / 1000))} rows/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
        )
      }
    },
  })
  const seconds = (performance.now() - start) / 1000
  clearInterval(sample)
  // Re-import of the same file: the diff finds everything unchanged (IMPORT_BENCH_REIMPORT=0 skips it).
  const again0 = performance.now()
  const again =
    process.env.IMPORT_BENCH_REIMPORT === '0' ? null : await applyDiscovery(system, source.id, readImportFile('generic_csv', file), { mode: 'full' })
  const againSeconds = (performance.now() - again0) / 1000
  peak = Math.max(peak, process.memoryUsage().rss)
  const out = {
    rows,
    fileMiB: Math.round(fs.statSync(file).size / 2 ** 20),
    generateSeconds: Number(genSeconds.toFixed(1)),
    importSeconds: Number(seconds.toFixed(1)),
    rowsPerSecond: Math.round(rows / seconds),
    added: result.added,
    credentials: result.credentials.added,
    grants: result.grants.added,
    errors: result.errors,
    ...(again
      ? { reimportSeconds: Number(againSeconds.toFixed(1)), reimportRowsPerSecond: Math.round(rows / againSeconds), reimportUnchanged: again.unchanged }
      : {}),
    cpuSeconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)),
    peakRssMiB: Math.round(peak / 2 ** 20),
  }
  await db.$disconnect()
  console.log(JSON.stringify(out))
}

await main()
