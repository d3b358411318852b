import { execFileSync } from 'node:child_process'
import { defineConfig } from '@playwright/test'

const port = Number(process.env.PORT ?? 3000)
const baseURL = `http://localhost:${port}`
const oidcPort = Number(process.env.OIDC_PORT ?? 3100)
// The app's access gateway and its demo upstream, beside the app's port so that several checkouts can test at once;
// set here so the tests (workers inherit the environment) know where to call.
const gatewayPort = Number(process.env.E2E_GATEWAY_PORT ?? port + 5000)
process.env.E2E_GATEWAY_PORT = String(gatewayPort)
// An upstream secret only the app's gateway process holds (in its environment), for the route the gateway journey makes.
process.env.E2E_GATEWAY_UPSTREAM_KEY ??= `e2e-upstream-${Math.random().toString(36).slice(2)}`

// The live PostgreSQL source of the leases journey: a database of the test cluster (scripts/pg.sh), named to the app by
// this variable (a source's secretRef); left unset when no cluster runs (the journey then fails, saying so).
try {
  process.env.E2E_LEASE_TARGET_URL ??= execFileSync('bash', ['scripts/pg.sh', 'url', 'lease_e2e_target'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim()
} catch {
  // no PostgreSQL test cluster running
}

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : [['list']],
  outputDir: 'test-results/artifacts',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node scripts/oidc-server.mjs',
      url: `http://localhost:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: process.env.E2E_REUSE === '1',
      env: { OIDC_PORT: String(oidcPort), APP_URL: baseURL },
      stdout: 'ignore',
    },
    {
      command: 'node scripts/start.mjs',
      url: `${baseURL}/api/health`,
      reuseExistingServer: process.env.E2E_REUSE === '1',
      timeout: 600_000,
      stdout: 'pipe',
      env: {
        PORT: String(port),
        GATEWAY_PORT: String(gatewayPort),
        GATEWAY_DEMO_UPSTREAM_PORT: String(gatewayPort + 1),
        E2E_GATEWAY_UPSTREAM_KEY: process.env.E2E_GATEWAY_UPSTREAM_KEY,
        ...(process.env.E2E_LEASE_TARGET_URL ? { E2E_LEASE_TARGET_URL: process.env.E2E_LEASE_TARGET_URL } : {}),
        CUSTODIAN_DEMO: 'true',
        CUSTODIAN_DEMO_IDENTITIES: process.env.CUSTODIAN_DEMO_IDENTITIES ?? '3000',
        AUTH_OIDC_ISSUER: `http://localhost:${oidcPort}`,
        AUTH_OIDC_CLIENT_ID: 'custodian-test',
        AUTH_OIDC_CLIENT_SECRET: 'custodian-test-secret-0123456789',
        AUTH_OIDC_NAME: 'Test SSO',
        AUTH_URL: baseURL,
        // The authorization matrix makes hundreds of refused calls a minute and checks each is audited.
        CUSTODIAN_AUDIT_DENIED_PER_MINUTE: '100000',
      },
    },
  ],
})
