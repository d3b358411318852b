import 'server-only'
import pino, { type DestinationStream, type Logger } from 'pino'

let destination: DestinationStream | undefined
let logger: Logger | undefined

// Secrets never reach the log: a field that could hold one is redacted even if a caller passes it by mistake.
const REDACT = ['authorization', 'token', 'secret', '*.authorization', '*.token', '*.secret', 'headers.authorization']

/** The API's JSON log (one line per call, with its request id). */
export function apiLog(): Logger {
  logger ??= pino({ name: 'custodian-api', redact: { paths: REDACT, censor: '[redacted]' } }, destination ?? pino.destination({ dest: 1, sync: false }))
  return logger
}

/** Tests read the log lines from a stream of their own. */
export function setApiLogDestination(d: DestinationStream | undefined) {
  destination = d
  logger = undefined
}
