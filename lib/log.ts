import pino, { type DestinationStream, type Logger } from 'pino'

// The one logger of the web app, the worker and the gateway: JSON lines on stdout, one object per event, each with
// `component` (api, web, worker, gateway, audit) and, for a request, its `requestId`.

/**
 * Fields that can hold a secret are censored wherever they sit (two levels deep, and in request and response
 * headers), even when a caller passes one by mistake.
 */
export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'clientSecret',
  'client_secret',
  'subject_token',
  'apiKey',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.clientSecret',
  '*.client_secret',
  '*.subject_token',
  '*.apiKey',
  'headers["set-cookie"]',
  'headers["proxy-authorization"]',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["proxy-authorization"]',
  '*.headers["x-api-key"]',
]

// A token or a bearer credential that reached a message or an unexpected field (an error text, a URL) is cut from the
// line itself: Custodian tokens by their prefix, JWTs by their shape, anything after `Bearer`.
const SECRET_TEXT = /cust_[0-9A-Za-z]{20,}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|(Bearer\s+)[^\s"\\]+/gi

/** A log line with every secret-looking text replaced. */
export function scrubSecrets(line: string): string {
  return line.replace(SECRET_TEXT, (_m, bearer: string | undefined) => (bearer ? `${bearer}[redacted]` : '[redacted]'))
}

type Component = 'api' | 'web' | 'worker' | 'gateway' | 'audit'

const g = globalThis as { __custodianLog?: { root: Logger | null; destination: DestinationStream | null } }
const state = (g.__custodianLog ??= { root: null, destination: null })

function level(): string {
  // Read here rather than through lib/env: the gateway and scripts log before (or without) the app's configuration.
  const v = process.env.LOG_LEVEL
  return v && ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v) ? v : 'info'
}

function root(): Logger {
  if (!state.root) {
    const inner = state.destination ?? pino.destination({ dest: 1, sync: false })
    const scrubbed: DestinationStream = { write: (line: string) => inner.write(scrubSecrets(line)) }
    state.root = pino(
      {
        name: 'custodian',
        level: level(),
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      scrubbed,
    )
  }
  return state.root
}

const children = new Map<Component, Logger>()

/** The logger of one part of Custodian. */
export function logger(component: Component): Logger {
  let l = children.get(component)
  if (!l || !state.root) {
    l = root().child({ component })
    children.set(component, l)
  }
  return l
}

/** Tests read the log lines from a stream of their own (undefined: stdout again). */
export function setLogDestination(d: DestinationStream | undefined) {
  state.destination = d ?? null
  state.root = null
  children.clear()
}

/** An error as loggable fields (its stack only for our own faults). */
export function errorFields(err: unknown): Record<string, unknown> {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { message: String(err) }
}
