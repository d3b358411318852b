import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// `npm start` runs these same steps; a bad database must produce one sentence naming DATABASE_URL.
function deploy(url: string) {
  const r = spawnSync(process.execPath, ['scripts/db.mjs', 'deploy'], { env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stderr: r.stderr.trim() }
}

function seed(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', ...args], {
    env: { ...process.env, DATABASE_URL: 'file:/nonexistent-dir/never.db' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() }
}

describe('start-up errors', () => {
  it('an unreachable PostgreSQL server gives one clear sentence, not a stack trace', () => {
    const r = deploy('postgresql://custodian:secret-password@127.0.0.1:1/nowhere')
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^db: Cannot reach the database at DATABASE_URL=postgresql:\/\/custodian:\*\*\*@127\.0\.0\.1:1\/nowhere/)
    expect(r.stderr).not.toContain('secret-password')
    expect(r.stderr.split('\n')).toHaveLength(1)
  })

  it('a malformed DATABASE_URL is named and explained', () => {
    const r = deploy('mysql://localhost/custodian')
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('DATABASE_URL must be a PostgreSQL URL')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('the seeder refuses negative, zero, fractional and absurd sizes with a message', () => {
    for (const n of ['-5', '0', '2.5', '99999999', 'lots']) {
      const r = seed(['--identities', n])
      expect(r.status, n).toBe(1)
      expect(r.out, n).not.toMatch(/\n\s+at /)
      expect(r.out.length, n).toBeLessThan(400)
    }
  })
})
