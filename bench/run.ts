// `npm run bench`: seeds organizations of the sizes in BENCH_SIZES (default 100000) into .tmp/bench-N.db,
// records the seed rate, then runs every bench/*.ts module against them and writes bench/results/latest.json.
// Benchmarks, not timed tests: nothing here passes or fails on a number.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

// `npm run bench -- --pages [--scale N]`: the page benchmark alone (bench/pages.ts).
if (process.argv.includes('--pages')) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'pages.ts'), ...process.argv.slice(2).filter((a) => a !== '--pages')], {
    cwd: root,
    stdio: 'inherit',
  })
  process.exit(r.status ?? 1)
}
// `npm run bench -- --gateway [--seconds N] [--concurrency C] [--memory-minutes M]`: the access gateway benchmark alone.
if (process.argv.includes('--gateway')) {
  const r = spawnSync(
    process.execPath,
    ['--conditions=react-server', '--import', 'tsx', path.join(root, 'bench', 'gateway.ts'), ...process.argv.slice(2).filter((a) => a !== '--gateway')],
    { cwd: root, stdio: 'inherit' },
  )
  process.exit(r.status ?? 1)
}
const sizes = (process.env.BENCH_SIZES ?? '100000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0)
const results: Record<string, unknown>[] = []

for (const n of sizes) {
  const file = path.join(root, '.tmp', `bench-${n}.db`)
  const url = `file:${file}`
  const envs = { ...process.env, DATABASE_URL: url }
  let seed: Record<string, unknown> = { skipped: true }
  if (!fs.existsSync(file) || process.env.BENCH_RESEED === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const t = Date.now()
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--identities', String(n), '--reset'], {
      cwd: root,
      env: envs,
      encoding: 'utf8',
    })
    const secs = (Date.now() - t) / 1000
    seed = { seconds: secs, identitiesPerSecond: Math.round(n / secs), lastLine: out.trim().split('\n').at(-1) }
    console.log(`bench: seeded ${n} in ${secs.toFixed(1)} s`)
  }
  const entry: Record<string, unknown> = { identities: n, seed }
  for (const f of fs
    .readdirSync(path.join(root, 'bench'))
    .filter((x) => x.endsWith('.ts') && !['run.ts', 'pages.ts', 'raw.ts', 'plans.ts', 'gateway.ts', 'measure.ts', 'as-job-worker.ts'].includes(x))
    .sort()) {
    const r = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', path.join('bench', f)], {
      cwd: root,
      env: envs,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
    const last = (r.stdout ?? '').trim().split('\n').at(-1) ?? ''
    try {
      entry[f.replace('.ts', '')] = JSON.parse(last)
    } catch {
      entry[f.replace('.ts', '')] = { error: (r.stderr || last).slice(-2000) }
    }
    console.log(`bench: ${f} done`)
  }
  results.push(entry)
}
fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true })
const out = path.join(root, 'bench', 'results', 'latest.json')
fs.writeFileSync(
  out,
  JSON.stringify({ at: new Date().toISOString(), machine: `${process.platform} ${process.arch}, node ${process.version}`, results }, null, 2),
)
console.log(JSON.stringify(results, null, 2))
console.log(`bench: results written to ${path.relative(root, out)}`)
