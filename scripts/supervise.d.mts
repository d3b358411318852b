import type { ChildProcess, spawn } from 'node:child_process'

export type RestartPolicy = { windowMs?: number; maxCrashes?: number; baseDelayMs?: number; maxDelayMs?: number }
export const RESTART_DEFAULTS: Required<RestartPolicy>
export function restartDecision(crashTimes: number[], now: number, opts?: RestartPolicy): { restart: boolean; recent: number[]; delayMs: number }
export function supervise(
  name: string,
  start: () => ChildProcess,
  opts?: {
    log?: (line: string) => void
    onGiveUp?: (code: number) => void
    onStart?: (child: ChildProcess) => void
    policy?: RestartPolicy
    killAfterMs?: number
    now?: () => number
  },
): { readonly child: ChildProcess | null; stop(): Promise<void> }
export function spawner(...args: Parameters<typeof spawn>): () => ChildProcess
