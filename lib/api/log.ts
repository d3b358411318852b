import 'server-only'
import type { DestinationStream, Logger } from 'pino'
import { logger, setLogDestination } from '@/lib/log'

/** The API's JSON log (one line per call, with its request id): the shared logger (lib/log.ts) as component `api`. */
export function apiLog(): Logger {
  return logger('api')
}

/** Tests read the log lines (of every component) from a stream of their own. */
export function setApiLogDestination(d: DestinationStream | undefined) {
  setLogDestination(d)
}
