import type { ChildProcess } from 'node:child_process'
import type { RestartPolicy } from './supervise.mjs'

export const MAX_WEB_PROCESSES: number
export const DEFAULT_MAX_WEB_PROCESSES: number
export const READY: 'custodian:metrics-ready'
export const SCRAPE: 'custodian:metrics-scrape'
export const SCRAPED: 'custodian:metrics-scraped'
export const GET: 'custodian:metrics-get'
export const PART: 'custodian:metrics-part'
export function webProcessCount(env: Record<string, string | undefined>, opts: { demo: boolean; cores?: number }): number
export function startWebProcesses(opts: {
  processes: number
  exec: string
  args: string[]
  onStart?: (child: ChildProcess) => void
  onGiveUp?: (code: number) => void
  policy?: RestartPolicy
  scrapeTimeoutMs?: number
}): { stop(): Promise<void> }
