import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { restartDecision, supervise } from './supervise.mjs'

const policy = { windowMs: 60_000, maxCrashes: 3, baseDelayMs: 1000, maxDelayMs: 5000 }

describe('restartDecision', () => {
  it('restarts after a crash with a delay that doubles while crashes keep coming, up to the cap', () => {
    let crashes: number[] = []
    const delays: number[] = []
    for (const t of [0, 2_000, 5_000]) {
      const d = restartDecision(crashes, t, policy)
      expect(d.restart).toBe(true)
      delays.push(d.delayMs)
      crashes = d.recent
    }
    expect(delays).toEqual([1000, 2000, 4000])
    expect(restartDecision([0, 1, 2], 3, { ...policy, maxCrashes: 10 }).delayMs).toBe(5000)
  })

  it('gives up after maxCrashes within the window', () => {
    expect(restartDecision([0, 2_000, 5_000], 9_000, policy)).toMatchObject({ restart: false })
  })

  it('forgets crashes older than the window: an occasional crash is always restarted quickly', () => {
    const d = restartDecision([0, 2_000, 5_000], 70_000, policy)
    expect(d).toMatchObject({ restart: true, delayMs: 1000 })
    expect(d.recent).toEqual([70_000])
  })
})

describe('supervise (real child processes)', () => {
  const node = (code: string) => () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' })
  const fast = { windowMs: 60_000, maxCrashes: 2, baseDelayMs: 20, maxDelayMs: 50 }

  it('restarts a crashing child, then gives up with its exit code when it keeps crashing', async () => {
    const lines: string[] = []
    let starts = 0
    const gaveUp = await new Promise<number>((resolve) => {
      supervise('test child', () => (starts++, node('process.exit(3)')()), { log: (l) => lines.push(l), onGiveUp: resolve, policy: fast })
    })
    expect(gaveUp).toBe(3)
    expect(starts).toBe(3)
    expect(lines.filter((l) => l.includes('restarting'))).toHaveLength(2)
    expect(lines.at(-1)).toMatch(/test child exited \(code 3\) 3 times in a short while; giving up/)
  })

  it('restarts a child killed from outside (as the OOM killer would)', async () => {
    let starts = 0
    const s = supervise('test child', () => (starts++, node('setInterval(() => {}, 1000)')()), { log: () => {}, policy: fast })
    const first = s.child!
    await new Promise((r) => first.once('spawn', r))
    first.kill('SIGKILL')
    await expect.poll(() => starts, { timeout: 5000 }).toBe(2)
    await s.stop()
    expect(s.child).toBeNull()
  })

  it('stop() ends the child for good: no restart after a clean shutdown', async () => {
    let starts = 0
    const s = supervise('test child', () => (starts++, node('process.on("SIGTERM", () => process.exit(0)); setInterval(() => {}, 1000)')()), {
      log: () => {},
      policy: fast,
    })
    await new Promise((r) => s.child!.once('spawn', r))
    await s.stop()
    await new Promise((r) => setTimeout(r, 150))
    expect(starts).toBe(1)
    expect(s.child).toBeNull()
  })
})
