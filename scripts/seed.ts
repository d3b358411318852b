// npm run seed -- [--identities N] [--seed S] [--reset] [--verify]
// Writes the deterministic demo data set (organizations acme and globex) into DATABASE_URL.
import { databaseUrl, deploy } from './db.mjs'
import { DemoExistsError, seedDemo } from '../lib/seed/run'

const MAX_IDENTITIES = 5_000_000
const USAGE = 'usage: npm run seed -- [--identities N (default 5000, at most 5,000,000)] [--seed S] [--reset] [--verify]'

function fail(message: string): never {
  console.error(`seed: ${message}`)
  process.exit(1)
}

function parseCount(flag: string, raw: string | undefined, max: number): number {
  if (raw === undefined || raw.startsWith('--')) fail(`${flag} needs a value. ${USAGE}`)
  const text = raw.trim().replace(/[_,]/g, '')
  const value = Number(text)
  if (text === '' || Number.isNaN(value)) fail(`${flag} must be a whole number, got "${raw}"`)
  if (value < 0) fail(`${flag} must not be negative, got ${raw}`)
  if (!/^\d+$/.test(text)) fail(`${flag} must be a whole number, got "${raw}"`)
  if (value > max) fail(`${flag} ${raw} is too large (at most ${max.toLocaleString('en-US')})`)
  return value
}

function parseArgs(argv: string[]) {
  const args = { identities: 5000, seed: 1, reset: false, verify: false }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined]
    const value = () => inline ?? argv[++i]
    if (flag === '--identities' || flag === '-n') args.identities = parseCount('--identities', value(), MAX_IDENTITIES)
    else if (flag === '--seed') args.seed = parseCount('--seed', value(), 0xffffffff)
    else if (flag === '--reset') args.reset = true
    else if (flag === '--verify') args.verify = true
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else fail(`unknown argument "${argv[i]}". ${USAGE}`)
  }
  if (args.identities === 0) fail('--identities must be at least 1')
  return args
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

async function main() {
  const args = parseArgs(process.argv.slice(2))
  const url = databaseUrl()
  await deploy({ quiet: true })
  const shown = url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
  console.log(`seed: ${fmt(args.identities)} identities, seed ${args.seed}, into ${shown}${args.reset ? ' (reset)' : ''}`)
  const tty = process.stdout.isTTY
  let lastShown = 0
  const result = await seedDemo({
    databaseUrl: url,
    identities: args.identities,
    seed: args.seed,
    reset: args.reset,
    verify: args.verify,
    secretSalt: process.env.CUSTODIAN_SECRET_SALT || undefined,
    onProgress: ({ written, total, elapsedMs }) => {
      const line = `  ${fmt(written)} / ${fmt(total)} identities, ${fmt(written / (elapsedMs / 1000))}/s`
      if (tty) process.stdout.write(`\r${line}   `)
      else if (written === total || elapsedMs - lastShown >= 2000) {
        lastShown = elapsedMs
        console.log(line)
      }
    },
  })
  if (tty) process.stdout.write('\n')
  if (result.resetMs >= 50) console.log(`seed: removed the previous demo data in ${(result.resetMs / 1000).toFixed(1)} s`)
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  console.log(
    `seed: generating ${s(result.generateMs)}, inserting ${s(result.insertMs)}, findings ${s(result.findingsMs)}, building indexes ${s(result.indexMs)}, ` +
      `posture history ${s(result.postureMs)}, planner statistics ${s(result.statisticsMs)}`,
  )
  const seconds = result.totalMs / 1000
  const globex = result.identities - args.identities
  console.log(
    `seeded ${fmt(args.identities)} identities (+${fmt(globex)} in globex; ${fmt(result.grants)} grants, ${fmt(result.credentials)} credentials, ` +
      `${fmt(result.resources)} resources) in ${seconds.toFixed(1)} s — ${fmt(result.identities / seconds)} identities/s`,
  )
}

main().catch((err: unknown) => {
  if (err instanceof DemoExistsError) fail(err.message)
  fail(err instanceof Error ? err.message : String(err))
})
