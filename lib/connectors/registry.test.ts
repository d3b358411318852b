import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// env() is read once per module instance: each test loads the registry afresh under its own environment.
async function registryWith(vars: Record<string, string>) {
  vi.resetModules()
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v)
  const { env } = await import('@/lib/env')
  const registry = await import('./registry')
  return { env: env(), ...registry }
}

describe('resolveConnector', () => {
  beforeEach(() => vi.unstubAllEnvs())
  afterEach(() => vi.unstubAllEnvs())

  it('does not simulate a source merely because demo mode is on', async () => {
    const { env, resolveConnector } = await registryWith({ CUSTODIAN_DEMO: 'true' })
    expect(env.demo).toBe(true)
    for (const type of ['github', 'aws', 'okta', 'postgresql']) {
      expect(resolveConnector({ type, config: '{}', secretRef: null }).mode, type).toBe('manual')
    }
  })

  it('simulates only a source marked simulated (the seeded demo sources), demo mode or not', async () => {
    for (const demo of ['true', 'false']) {
      const { resolveConnector } = await registryWith({ CUSTODIAN_DEMO: demo })
      expect(resolveConnector({ type: 'github', config: '{"org":"acme","simulated":true}', secretRef: null }).mode).toBe('simulated')
      expect(resolveConnector({ type: 'github', config: '{"simulated":"yes"}', secretRef: null }).mode).toBe('manual')
    }
  })

  it('an import source is never simulated: its identities act as manual tasks', async () => {
    const { resolveConnector } = await registryWith({ CUSTODIAN_DEMO: 'true' })
    for (const [type, format] of [
      ['csv', 'generic_csv'],
      ['aws', 'aws_credential_report'],
      ['kubernetes', 'kubernetes'],
      ['github', 'github'],
    ]) {
      expect(resolveConnector({ type, config: JSON.stringify({ importFormat: format, defaultEnvironment: 'production' }), secretRef: null }).mode, type).toBe(
        'manual',
      )
    }
  })

  it('a live connector with its secret acts live even on a source marked simulated', async () => {
    const { resolveConnector } = await registryWith({ CUSTODIAN_DEMO: 'true' })
    expect(resolveConnector({ type: 'postgresql', config: '{"simulated":true}', secretRef: 'PG_TARGET_URL' }).mode).toBe('live')
  })
})
