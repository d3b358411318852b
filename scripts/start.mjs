#!/usr/bin/env node
// `npm start`: one command from a fresh clone to a running Custodian. Migrates the database, loads the
// demo organization when the database is empty (demo mode), builds when the build is missing or stale,
// then serves on http://localhost:3000 (CUSTODIAN_WEB_PROCESSES web processes on the one port) with the job worker and
// the access gateway (port 8080) in the same process group, restarting any of them when it crashes.
import { spawn, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { databaseUrl, deploy, openDriver, providerOf } from './db.mjs'
import { demoMode, resolveAuthSecret } from './runtime-config.mjs'
import { supervise } from './supervise.mjs'
import { startWebProcesses, webProcessCount } from './web-processes.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)
const t0 = Date.now()
const port = process.env.PORT ?? '3000'
process.env.NEXT_TELEMETRY_DISABLED = '1'

function fail(msg) {
  console.error(`\ncustodian: ${msg}\n`)
  process.exit(1)
}

let mode
try {
  mode = demoMode(process.env)
} catch (err) {
  fail(err.message)
}
// Decided once, here, and handed to the web server and the worker explicitly so they cannot disagree.
process.env.CUSTODIAN_DEMO = mode.demo ? 'true' : 'false'
const demo = mode.demo
const host = mode.host
let processes
try {
  processes = webProcessCount(process.env, { demo })
} catch (err) {
  fail(err.message)
}

// Production (`next start`) needs AUTH_SECRET; the demo keeps a generated one beside its database.
try {
  process.env.AUTH_SECRET = resolveAuthSecret(process.env, { dataDir: path.join(root, 'data'), production: true, demo })
} catch (err) {
  fail(err.message)
}

const url = databaseUrl()
try {
  providerOf(url)
  await deploy({ quiet: true })
} catch (err) {
  fail(err.message)
}

async function isEmpty() {
  const db = await openDriver(url)
  try {
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM "Organization"')
    return Number(n) === 0
  } finally {
    await db.close()
  }
}

if (demo && (await isEmpty())) {
  const n = process.env.CUSTODIAN_DEMO_IDENTITIES ?? '20000'
  console.log(`custodian: empty database, loading the demo organization (${n} identities)…`)
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/seed.ts', '--identities', n], { stdio: 'inherit' })
  if (r.status !== 0) fail('loading the demo data failed (see above).')
}

function buildStamp() {
  const h = crypto.createHash('sha1')
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else h.update(`${p}:${fs.statSync(p).mtimeMs}\n`)
    }
  }
  for (const d of [
    'app',
    'components',
    'lib',
    'public',
    'prisma/schema.prisma',
    'package.json',
    'next.config.ts',
    'proxy.ts',
    'instrumentation-client.ts',
    'scripts/runtime-config.mjs',
  ]) {
    const p = path.join(root, d)
    if (fs.existsSync(p) && fs.statSync(p).isFile()) h.update(`${p}:${fs.statSync(p).mtimeMs}\n`)
    else walk(p)
  }
  return h.digest('hex')
}

const distDir = process.env.NEXT_DIST_DIR ?? '.next'
const stampFile = path.join(root, distDir, 'custodian-build-stamp')
const stamp = buildStamp()
const built = fs.existsSync(path.join(root, distDir, 'BUILD_ID')) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp
if (!built || process.env.CUSTODIAN_FORCE_BUILD === '1') {
  console.log('custodian: building the web app (first start or code changed)…')
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { stdio: 'inherit' })
  if (r.status !== 0) fail('the build failed (see above).')
  fs.writeFileSync(stampFile, stamp)
}

const shown = !host || host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host
if (demo) {
  console.log(
    `custodian: DEMO MODE is on (${mode.reason}): the seeded demo people sign in without a password. Never use it with real data.` +
      (mode.byDefault
        ? `\n  Listening on ${host} only. Set DATABASE_URL or AUTH_OIDC_* for a real deployment (demo mode then needs CUSTODIAN_DEMO=true).`
        : ''),
  )
}

let starts = 0
const web = startWebProcesses({
  processes,
  exec: path.join(root, 'node_modules/next/dist/bin/next'),
  args: ['start', '-p', port, ...(host ? ['-H', host] : [])],
  onStart: (child) => {
    let announced = false
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      if (!announced && /Ready|started server|Local:/i.test(String(chunk))) {
        announced = true
        const secs = ((Date.now() - t0) / 1000).toFixed(1)
        // Announced once every web process is up; a restarted one says so on its own.
        if (starts++ >= processes) return console.log(`  Custodian is ready again at http://${shown}:${port}`)
        if (starts < processes) return
        const many = processes > 1 ? `, ${processes} web processes` : ''
        console.log(`\n  Custodian is ready at http://${shown}:${port}  (${secs} s${many})`)
        if (demo) console.log('  Demo mode — sign in as a demo person: Ada (admin), Grace (governance), Mo (member), Audrey (auditor).\n')
      }
    })
  },
  onGiveUp: (code) => shutdown(code || 1),
})
const worker =
  fs.existsSync(path.join(root, 'scripts', 'worker.ts')) && process.env.CUSTODIAN_WORKER !== 'false'
    ? supervise('job worker', () => spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], { stdio: 'inherit' }), {
        onGiveUp: (code) => shutdown(code || 1),
      })
    : null
// The access gateway (`npm run gateway`, GATEWAY_PORT, default 8080; CUSTODIAN_GATEWAY=false leaves it out): in demo mode with its demo upstream, `/demo` route and token (printed once ready).
const gateway =
  fs.existsSync(path.join(root, 'scripts', 'gateway.ts')) && process.env.CUSTODIAN_GATEWAY !== 'false'
    ? supervise(
        'access gateway',
        () =>
          spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/gateway.ts', ...(demo ? ['--demo'] : [])], {
            stdio: 'inherit',
          }),
        // The web app does not need the gateway: when it keeps failing (its port taken, say), say so and carry on.
        { onGiveUp: (code) => console.error(`custodian: the access gateway keeps failing (exit ${code}); running without it.`) },
      )
    : null

let stopping = false
async function shutdown(code) {
  if (stopping) return
  stopping = true
  await Promise.all([web.stop(), worker?.stop(), gateway?.stop()])
  process.exit(code)
}
process.on('SIGINT', () => shutdown(0))
process.on('SIGTERM', () => shutdown(0))
