#!/usr/bin/env node
// `npm start`: one command from a fresh clone to a running Custodian. Migrates the database, loads the
// demo organization when the database is empty (demo mode), builds when the build is missing or stale,
// then serves on http://localhost:3000 with the job worker in the same process group.
import { spawn, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { databaseUrl, deploy, providerOf } from './db.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)
const t0 = Date.now()
const port = process.env.PORT ?? '3000'
process.env.NEXT_TELEMETRY_DISABLED = '1'
process.env.CUSTODIAN_DEMO ??= 'true'
const demo = ['1', 'true', 'yes', 'on'].includes(process.env.CUSTODIAN_DEMO)

function fail(msg) {
  console.error(`\ncustodian: ${msg}\n`)
  process.exit(1)
}

// A stable secret for the demo, kept beside the demo database; production must set AUTH_SECRET itself.
if (!process.env.AUTH_SECRET) {
  if (!demo) fail('AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment.')
  const file = path.join(root, 'data', '.auth-secret')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 })
  process.env.AUTH_SECRET = fs.readFileSync(file, 'utf8').trim()
}

const url = databaseUrl()
try {
  providerOf(url)
  await deploy({ quiet: true })
} catch (err) {
  fail(err.message)
}

async function isEmpty() {
  if (providerOf(url) === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(url.slice('file:'.length), { readonly: true })
    const n = db.prepare('SELECT COUNT(*) AS n FROM "Organization"').get().n
    db.close()
    return n === 0
  }
  const { default: pg } = await import('pg')
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  const n = Number((await c.query('SELECT COUNT(*) AS n FROM "Organization"')).rows[0].n)
  await c.end()
  return n === 0
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
  for (const d of ['app', 'components', 'lib', 'public', 'prisma/schema.prisma', 'package.json', 'next.config.ts', 'proxy.ts']) {
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

const children = []
const next = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', port], { stdio: ['ignore', 'pipe', 'inherit'] })
children.push(next)
let announced = false
next.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  if (!announced && /Ready|started server|Local:/i.test(String(chunk))) {
    announced = true
    const secs = ((Date.now() - t0) / 1000).toFixed(1)
    console.log(`\n  Custodian is ready at http://localhost:${port}  (${secs} s)`)
    if (demo) console.log('  Demo sign-in: open the page and pick a user — Ada (admin), Grace (governance), Mo (member), Audrey (auditor).\n')
  }
})
if (fs.existsSync(path.join(root, 'scripts', 'worker.ts')) && process.env.CUSTODIAN_WORKER !== 'false') {
  const worker = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], { stdio: 'inherit' })
  children.push(worker)
}
const stop = () => {
  for (const c of children) c.kill('SIGTERM')
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
next.on('exit', (code) => {
  for (const c of children) c.kill('SIGTERM')
  process.exit(code ?? 1)
})
