// Start-up decisions shared by `npm start` (plain Node) and the app (lib/env.ts), so each rule exists once:
// whether demo mode is on and where the server listens, and which secret signs sessions.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const TRUE = ['1', 'true', 'yes', 'on']
const FALSE = ['0', 'false', 'no', 'off']
const set = (v) => typeof v === 'string' && v.trim() !== ''

/**
 * Demo mode (password-less sign-in for the seeded demo people) is on by default only when nothing is
 * configured: no DATABASE_URL and no AUTH_OIDC_*. Then the server listens on loopback unless HOST says
 * otherwise. Any configuration means a real deployment, where demo mode needs CUSTODIAN_DEMO=true.
 */
export function demoMode(env) {
  const raw = (env.CUSTODIAN_DEMO ?? '').trim().toLowerCase()
  const host = set(env.HOST) ? env.HOST.trim() : undefined
  if (TRUE.includes(raw)) return { demo: true, byDefault: false, host, reason: 'CUSTODIAN_DEMO=true' }
  if (FALSE.includes(raw)) return { demo: false, byDefault: false, host, reason: 'CUSTODIAN_DEMO=false' }
  if (raw !== '') throw new Error(`CUSTODIAN_DEMO must be true or false, not "${env.CUSTODIAN_DEMO}".`)
  const configured = [set(env.DATABASE_URL) && 'DATABASE_URL', ...Object.keys(env).filter((k) => k.startsWith('AUTH_OIDC_') && set(env[k]))].filter(Boolean)
  if (configured.length) return { demo: false, byDefault: false, host, reason: `${configured.join(', ')} set, CUSTODIAN_DEMO not set` }
  return { demo: true, byDefault: true, host: host ?? '127.0.0.1', reason: 'nothing is configured: no DATABASE_URL, no AUTH_OIDC_*' }
}

/**
 * The secret that signs session cookies: AUTH_SECRET, else (outside production, or in demo mode) a random
 * one generated once into <dataDir>/.auth-secret (mode 0600). Production without AUTH_SECRET is refused.
 */
export function resolveAuthSecret(env, { dataDir, production, demo }) {
  if (set(env.AUTH_SECRET)) return env.AUTH_SECRET
  if (production && !demo) {
    throw new Error('AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment.')
  }
  return fileSecret(path.join(dataDir, '.auth-secret'))
}

function fileSecret(file) {
  const read = () => {
    const v = fs.readFileSync(file, 'utf8').trim()
    if (v.length < 32) throw new Error(`${file} holds no usable secret: delete it (a new one is generated) or set AUTH_SECRET.`)
    return v
  }
  if (fs.existsSync(file)) return read()
  fs.mkdirSync(path.dirname(file), { recursive: true })
  // Written to a private temporary file and linked into place, so the web server and the worker starting
  // together agree on one secret and never read a half-written file.
  const tmp = `${file}.${crypto.randomBytes(6).toString('hex')}.tmp`
  fs.writeFileSync(tmp, crypto.randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' })
  try {
    fs.linkSync(tmp, file)
  } catch (err) {
    if (err.code !== 'EEXIST') throw err
  } finally {
    fs.rmSync(tmp, { force: true })
  }
  return read()
}
