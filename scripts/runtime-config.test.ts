import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { demoMode, resolveAuthSecret } from './runtime-config.mjs'

describe('demoMode: is demo mode on, and where does `npm start` listen', () => {
  const cases: [string, Record<string, string>, { demo: boolean; byDefault: boolean; host: string | undefined }][] = [
    ['nothing configured: on, loopback only', {}, { demo: true, byDefault: true, host: '127.0.0.1' }],
    ['nothing configured, HOST given: on, on that host', { HOST: '0.0.0.0' }, { demo: true, byDefault: true, host: '0.0.0.0' }],
    ['empty values count as unset', { DATABASE_URL: ' ', AUTH_OIDC_ISSUER: '', CUSTODIAN_DEMO: '' }, { demo: true, byDefault: true, host: '127.0.0.1' }],
    ['a database configured: off', { DATABASE_URL: 'postgresql://u:p@db:5432/custodian' }, { demo: false, byDefault: false, host: undefined }],
    ['a SQLite file configured: off', { DATABASE_URL: 'file:./prod.db' }, { demo: false, byDefault: false, host: undefined }],
    [
      'OIDC configured: off',
      { AUTH_OIDC_ISSUER: 'https://idp.example', AUTH_OIDC_CLIENT_ID: 'c', AUTH_OIDC_CLIENT_SECRET: 's' },
      { demo: false, byDefault: false, host: undefined },
    ],
    ['any AUTH_OIDC_* alone: off', { AUTH_OIDC_CLIENT_ID: 'c' }, { demo: false, byDefault: false, host: undefined }],
    [
      'OIDC and a database with CUSTODIAN_DEMO=true: on, as asked, not loopback-forced',
      { AUTH_OIDC_ISSUER: 'https://idp.example', DATABASE_URL: 'file:x.db', CUSTODIAN_DEMO: 'true' },
      { demo: true, byDefault: false, host: undefined },
    ],
    ['CUSTODIAN_DEMO=true with HOST', { CUSTODIAN_DEMO: '1', HOST: '10.0.0.5' }, { demo: true, byDefault: false, host: '10.0.0.5' }],
    ['nothing configured but CUSTODIAN_DEMO=false: off', { CUSTODIAN_DEMO: 'false' }, { demo: false, byDefault: false, host: undefined }],
    [
      'database configured and CUSTODIAN_DEMO=off: off',
      { DATABASE_URL: 'file:x.db', CUSTODIAN_DEMO: 'off' },
      { demo: false, byDefault: false, host: undefined },
    ],
  ]
  for (const [name, env, want] of cases) {
    it(name, () => {
      expect(demoMode(env)).toMatchObject(want)
    })
  }

  it('AUTH_SECRET, AUTH_URL or NODE_ENV alone are not a configuration that turns demo mode off', () => {
    expect(demoMode({ AUTH_SECRET: 'x'.repeat(32), AUTH_URL: 'https://c.example', NODE_ENV: 'production' }).demo).toBe(true)
  })

  it('refuses a CUSTODIAN_DEMO it cannot read instead of guessing', () => {
    expect(() => demoMode({ CUSTODIAN_DEMO: 'maybe' })).toThrow(/CUSTODIAN_DEMO must be true or false/)
  })
})

describe('resolveAuthSecret: never a known secret', () => {
  const dirs: string[] = []
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-secret-'))
    dirs.push(d)
    return path.join(d, 'data')
  }
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })

  it('uses AUTH_SECRET when set', () => {
    expect(resolveAuthSecret({ AUTH_SECRET: 'from-the-environment-0123456789' }, { dataDir: tmp(), production: true, demo: false })).toBe(
      'from-the-environment-0123456789',
    )
  })

  it('without AUTH_SECRET outside production: generates a random secret once, keeps it private in data/.auth-secret', () => {
    const dataDir = tmp()
    const a = resolveAuthSecret({}, { dataDir, production: false, demo: false })
    const file = path.join(dataDir, '.auth-secret')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(file, 'utf8')).toBe(a)
    expect(a.length).toBeGreaterThanOrEqual(43)
    expect(a).not.toBe('custodian-development-secret-not-for-production')
    // Stable across restarts and processes (the web server and the worker share it) ...
    expect(resolveAuthSecret({}, { dataDir, production: false, demo: false })).toBe(a)
    // ... and different on every installation: nothing in the source code can sign a session.
    expect(resolveAuthSecret({}, { dataDir: tmp(), production: false, demo: false })).not.toBe(a)
    expect(fs.readdirSync(dataDir)).toEqual(['.auth-secret'])
  })

  it('in demo mode, even in production, keeps a generated secret (npm start)', () => {
    const dataDir = tmp()
    expect(resolveAuthSecret({}, { dataDir, production: true, demo: true })).toBe(fs.readFileSync(path.join(dataDir, '.auth-secret'), 'utf8'))
  })

  it('refuses to start in production without AUTH_SECRET, saying what to do', () => {
    const dataDir = tmp()
    expect(() => resolveAuthSecret({}, { dataDir, production: true, demo: false })).toThrow(/AUTH_SECRET is not set.*openssl rand/)
    expect(fs.existsSync(dataDir)).toBe(false)
  })

  it('refuses an empty or truncated secret file rather than signing with it', () => {
    const dataDir = tmp()
    fs.mkdirSync(dataDir, { recursive: true })
    fs.writeFileSync(path.join(dataDir, '.auth-secret'), 'short\n')
    expect(() => resolveAuthSecret({}, { dataDir, production: false, demo: false })).toThrow(/holds no usable secret/)
  })
})
