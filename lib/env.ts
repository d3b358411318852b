import path from 'node:path'
import { z } from 'zod'
import { demoMode, resolveAuthSecret } from '@/scripts/runtime-config.mjs'

// The only reader of process.env: validated once, with messages a person can act on.
const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(v)))

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : `file:${path.join(process.cwd(), 'data', 'custodian.db')}`))
    .refine((v) => /^postgres(ql)?:\/\//.test(v) || v.startsWith('file:'), {
      message: 'DATABASE_URL must be postgresql://... or file:./path.db (unset means data/custodian.db)',
    }),
  AUTH_SECRET: z.string().min(16, 'AUTH_SECRET must be at least 16 characters').optional(),
  AUTH_URL: z.string().url().optional(),
  AUTH_OIDC_ISSUER: z.string().url('AUTH_OIDC_ISSUER must be the issuer URL of your identity provider').optional(),
  AUTH_OIDC_CLIENT_ID: z.string().min(1).optional(),
  AUTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  AUTH_OIDC_NAME: z.string().default('Single sign-on'),
  AUTH_OIDC_TRUST_EMAIL: boolish,
  CUSTODIAN_DEMO: boolish,
  CUSTODIAN_SECRET_SALT: z.string().min(16).optional(),
  CUSTODIAN_ENCRYPTION_KEY: z.string().min(32, 'CUSTODIAN_ENCRYPTION_KEY must be at least 32 characters (openssl rand -base64 32)').optional(),
  CUSTODIAN_WORKER: boolish,
  SMTP_URL: z.string().optional(),
  SMTP_FROM: z.string().default('Custodian <custodian@localhost>'),
  APP_URL: z.string().url().default('http://localhost:3000'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** refused attempts recorded per actor per minute before the rest are only logged (a bound on log flooding) */
  CUSTODIAN_AUDIT_DENIED_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  /** API calls a token may make per rate-limit window, and all of an organization's tokens together */
  CUSTODIAN_API_RATE_PER_TOKEN: z.coerce.number().int().min(1).max(10_000_000).default(600),
  CUSTODIAN_API_RATE_PER_ORG: z.coerce.number().int().min(1).max(10_000_000).default(3000),
  CUSTODIAN_API_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /** the secret scanner's ECDSA P-256 public key (PEM; `\n` escapes allowed): POST /api/v1/secret-scanning/report checks its signature */
  CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY: z.string().optional(),
  /** when set, the only key identifier (`Github-Public-Key-Identifier`) the intake accepts */
  CUSTODIAN_SECRET_SCANNER_KEY_ID: z.string().optional(),
  /** deliver webhooks to private, loopback and link-local addresses (default: only in demo mode; an SSRF guard otherwise) */
  CUSTODIAN_WEBHOOKS_ALLOW_PRIVATE: boolish,
  /** the bearer token a Prometheus scraper sends to GET /metrics (web app, worker and gateway); unset turns /metrics off */
  METRICS_TOKEN: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().trim().min(16, 'METRICS_TOKEN must be at least 16 characters (openssl rand -hex 32)').optional(),
  ),
  /** the worker serves its own /metrics (job outcomes) on this port when set */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /**
   * Retention of the gateway's call records and of token-exchange attempts, in days (lib/gateway/retention.ts). The
   * gateway's is never shorter, per organization, than what its "gateway access unused" finding reads (its dormantDays).
   */
  CUSTODIAN_GATEWAY_CALL_RETENTION_DAYS: z.coerce.number().int().min(30).max(36_500).default(400),
  CUSTODIAN_TOKEN_EXCHANGE_RETENTION_DAYS: z.coerce.number().int().min(30).max(36_500).default(400),
  CUSTODIAN_JOB_LEASE_MS: z.coerce.number().int().min(500).max(3_600_000).default(60_000),
  /** tests only: a remediation handler waits this long after acting, so a test can kill the worker mid-job */
  CUSTODIAN_TEST_ACT_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
})

function load() {
  const parsed = envSchema.safeParse(process.env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')
    throw new Error(`Custodian's configuration is invalid:\n${lines}`)
  }
  const e = parsed.data
  const oidcParts = [e.AUTH_OIDC_ISSUER, e.AUTH_OIDC_CLIENT_ID, e.AUTH_OIDC_CLIENT_SECRET].filter(Boolean).length
  if (oidcParts !== 0 && oidcParts !== 3) {
    throw new Error('Set all three of AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET, or none.')
  }
  const isProd = e.NODE_ENV === 'production'
  // The same rule `npm start` applies (scripts/runtime-config.mjs): on by default only when nothing is configured.
  const { demo } = demoMode(process.env)
  const g = globalThis as { __custodianDemoWarned?: boolean }
  // Once per process (Next loads this module once per bundle), not during `next build`, not in tests.
  if (demo && !g.__custodianDemoWarned && e.NODE_ENV !== 'test' && process.env.NEXT_PHASE !== 'phase-production-build') {
    g.__custodianDemoWarned = true
    console.warn(`custodian: demo mode is on (pid ${process.pid}): the seeded demo people can sign in without a password. Never use it with real data.`)
  }
  return {
    databaseUrl: e.DATABASE_URL,
    databaseProvider: e.DATABASE_URL.startsWith('file:') ? ('sqlite' as const) : ('postgresql' as const),
    oidc: e.AUTH_OIDC_ISSUER
      ? {
          issuer: e.AUTH_OIDC_ISSUER,
          clientId: e.AUTH_OIDC_CLIENT_ID!,
          clientSecret: e.AUTH_OIDC_CLIENT_SECRET!,
          name: e.AUTH_OIDC_NAME,
          /** match people by an e-mail the provider did not mark verified: only for providers that vouch for every address */
          trustEmail: e.AUTH_OIDC_TRUST_EMAIL ?? false,
        }
      : null,
    demo,
    encryptionKey: e.CUSTODIAN_ENCRYPTION_KEY ?? null,
    secretSalt: e.CUSTODIAN_SECRET_SALT ?? 'custodian-development-salt-change-me',
    worker: e.CUSTODIAN_WORKER ?? false,
    smtpUrl: e.SMTP_URL || null,
    smtpFrom: e.SMTP_FROM,
    appUrl: e.APP_URL,
    authUrl: e.AUTH_URL ?? null,
    isProd,
    jobLeaseMs: e.CUSTODIAN_JOB_LEASE_MS,
    retention: { gatewayCallDays: e.CUSTODIAN_GATEWAY_CALL_RETENTION_DAYS, tokenExchangeDays: e.CUSTODIAN_TOKEN_EXCHANGE_RETENTION_DAYS },
    auditDeniedPerMinute: e.CUSTODIAN_AUDIT_DENIED_PER_MINUTE,
    apiRateLimits: { perToken: e.CUSTODIAN_API_RATE_PER_TOKEN, perOrg: e.CUSTODIAN_API_RATE_PER_ORG, windowSeconds: e.CUSTODIAN_API_RATE_WINDOW_SECONDS },
    secretScanner: e.CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY
      ? { publicKeyPem: e.CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY.replace(/\\n/g, '\n'), keyId: e.CUSTODIAN_SECRET_SCANNER_KEY_ID || null }
      : null,
    webhooksAllowPrivate: e.CUSTODIAN_WEBHOOKS_ALLOW_PRIVATE ?? demo,
    metricsToken: e.METRICS_TOKEN || null,
    workerMetricsPort: e.WORKER_METRICS_PORT ?? null,
    testActDelayMs: e.NODE_ENV === 'production' ? 0 : e.CUSTODIAN_TEST_ACT_DELAY_MS,
  }
}

export type Env = ReturnType<typeof load>
let cached: Env | null = null
export function env(): Env {
  cached ??= load()
  return cached
}

let secret: string | null = null
/** The secret that signs session cookies: AUTH_SECRET, else one generated once into data/.auth-secret; never a constant. */
export function authSecret(): string {
  const e = env()
  secret ??= resolveAuthSecret(process.env, { dataDir: path.join(process.cwd(), 'data'), production: e.isProd, demo: e.demo })
  return secret
}

/**
 * The secret that seals what Custodian keeps encrypted (organizations' signing keys): CUSTODIAN_ENCRYPTION_KEY, or
 * the session secret when it is not set. Set it on its own in production, so rotating AUTH_SECRET (which signs
 * out everyone) does not also make the stored signing keys unreadable.
 */
export function encryptionSecret(): string {
  return env().encryptionKey ?? authSecret()
}

/** A connector secret, by the environment variable name a Source references; never cached, logged or returned to pages. */
export function secretFromEnv(name: string | null | undefined): string | undefined {
  if (!name || !/^[A-Z_][A-Z0-9_]{0,127}$/.test(name)) return undefined
  // Custodian's own secrets are not connector secrets: a Source must not be able to name them.
  if (/^(AUTH_|DATABASE_URL$|CUSTODIAN_SECRET_SALT$|CUSTODIAN_ENCRYPTION_KEY$|SMTP_URL$|METRICS_TOKEN$)/.test(name)) return undefined
  const v = process.env[name]
  return v ? v : undefined
}
