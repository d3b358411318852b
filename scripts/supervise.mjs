// Keeps `npm start`'s children (web server, job worker) running: a crashed child is restarted with a growing
// delay, and the whole service stops when one keeps crashing, rather than looping forever.
import { spawn } from 'node:child_process'

export const RESTART_DEFAULTS = { windowMs: 5 * 60_000, maxCrashes: 5, baseDelayMs: 1000, maxDelayMs: 30_000 }

/**
 * What to do after a crash, given the times of earlier crashes: restart after a delay that doubles with
 * each recent crash, or give up when maxCrashes happened within windowMs.
 */
export function restartDecision(crashTimes, now, opts = {}) {
  const o = { ...RESTART_DEFAULTS, ...opts }
  const recent = [...crashTimes.filter((t) => now - t < o.windowMs), now]
  if (recent.length > o.maxCrashes) return { restart: false, recent, delayMs: 0 }
  const delayMs = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (recent.length - 1))
  return { restart: true, recent, delayMs }
}

/**
 * Runs `start()` (which spawns and returns a child process) and restarts it when it exits unexpectedly.
 * `onGiveUp(code)` is called when it keeps crashing. Returns { stop() } to end it for good (SIGTERM, then
 * SIGKILL after killAfterMs), resolving once the child is gone.
 */
export function supervise(name, start, { log = console.error, onGiveUp, onStart, policy = {}, killAfterMs = 10_000, now = Date.now } = {}) {
  let child = null
  let stopping = false
  let timer = null
  let crashes = []
  let exited = Promise.resolve()

  const run = () => {
    timer = null
    child = start()
    onStart?.(child)
    exited = new Promise((resolve) => child.once('exit', resolve))
    child.once('exit', (code, signal) => {
      child = null
      if (stopping) return
      const d = restartDecision(crashes, now(), policy)
      crashes = d.recent
      const how = signal ? `signal ${signal}` : `code ${code}`
      if (!d.restart) {
        log(`custodian: the ${name} exited (${how}) ${d.recent.length} times in a short while; giving up.`)
        onGiveUp?.(code ?? 1)
        return
      }
      log(
        `custodian: the ${name} exited (${how}); restarting in ${(d.delayMs / 1000).toFixed(0)} s (crash ${d.recent.length} of at most ${policy.maxCrashes ?? RESTART_DEFAULTS.maxCrashes} in a short while).`,
      )
      timer = setTimeout(run, d.delayMs)
    })
  }
  run()

  return {
    get child() {
      return child
    },
    async stop() {
      stopping = true
      if (timer) clearTimeout(timer)
      const c = child
      if (!c) return
      c.kill('SIGTERM')
      const kill = setTimeout(() => c.kill('SIGKILL'), killAfterMs)
      await exited
      clearTimeout(kill)
    },
  }
}

/** spawn() with the given arguments, for supervise(). */
export const spawner =
  (...args) =>
  () =>
    spawn(...args)
