import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { engine } from './fixtures'

// The web app as several processes (scripts/web-processes.mjs, what `npm start` runs with CUSTODIAN_WEB_PROCESSES=2):
// real processes on one port, the real metrics modules and /metrics endpoint in each (the job queue read from this
// engine's database), through primary.ts and child.ts in place of Next's server.
const TOKEN = 'web-processes-test-metrics-token-0123456789'
let primary: ChildProcess
let port = 0
let out = ''

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port
      s.close(() => resolve(p))
    })
    s.once('error', reject)
  })
}

/** One request on a connection of its own (no keep-alive), so the cluster hands each to the next process. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; pid: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, pid: Number(res.headers['x-pid']), body }))
    })
    req.once('error', reject)
    req.end()
  })
}

async function until(what: string, cond: () => boolean, ms = 60_000) {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; output so far:\n${out}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const readies = () => (out.match(/^Ready \d+$/gm) ?? []).length
const scrape = () => get('/metrics', { authorization: `Bearer ${TOKEN}` })
function calls(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('custodian_api_calls_total{') && l.includes('token_kind="cluster_test"'))
  return line ? Number(line.split(' ').pop()) : 0
}

beforeAll(async () => {
  port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, METRICS_TOKEN: TOKEN }
  delete env.CUSTODIAN_WEB_CLUSTER
  primary = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'tests/integration/web-processes/primary.ts', String(port), '2'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  primary.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c))
  await until('two web processes', () => readies() >= 2)
})

afterAll(async () => {
  if (!primary || primary.exitCode !== null) return
  const gone = new Promise((r) => primary.once('exit', r))
  primary.kill('SIGTERM')
  await gone
})

describe(`several web processes on one port (${engine})`, () => {
  const byPid = new Map<number, number>()

  it('spreads connections over the processes, and a scrape landing on any of them answers the sum of all', async () => {
    for (let i = 0; i < 40; i++) {
      const r = await get('/count')
      expect(r.status).toBe(200)
      byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1)
    }
    expect(byPid.size).toBe(2)

    const scrapedBy = new Set<number>()
    for (let i = 0; i < 6; i++) {
      const r = await scrape()
      expect(r.status, r.body).toBe(200)
      scrapedBy.add(r.pid)
      // Each process counted only the calls it served; the answer is their sum whichever one answers.
      expect(calls(r.body)).toBe(40)
      // The job queue is read once per scrape, not summed over the processes.
      expect(r.body.match(/^# TYPE custodian_jobs gauge$/gm)).toHaveLength(1)
      const queued = r.body.split('\n').filter((l) => l.startsWith('custodian_jobs{'))
      expect(queued.length).toBeGreaterThan(0)
      expect(new Set(queued.map((l) => l.split(' ')[0])).size).toBe(queued.length)
      // One HELP per metric: the sum is one exposition, not two pasted together.
      expect(r.body.match(/^# HELP custodian_api_calls_total /gm)).toHaveLength(1)
    }
    expect(scrapedBy.size).toBe(2)

    const denied = await scrape().then(() => get('/metrics', { authorization: 'Bearer wrong-token-wrong-token' }))
    expect(denied.status).toBe(401)
    expect(denied.body).not.toContain('custodian_api_calls_total')
  })

  it('restarts a process that dies; the sum then counts the processes alive', async () => {
    const [dead, survivor] = [...byPid.keys()]
    process.kill(dead, 'SIGKILL')
    await until('the restarted web process', () => readies() >= 3)
    const after = new Map<number, number>()
    for (let i = 0; i < 20; i++) {
      const r = await get('/count')
      expect(r.status).toBe(200)
      after.set(r.pid, (after.get(r.pid) ?? 0) + 1)
    }
    expect(after.size).toBe(2)
    expect(after.has(dead)).toBe(false)
    expect(after.has(survivor)).toBe(true)
    const r = await scrape()
    expect(r.status, r.body).toBe(200)
    expect(calls(r.body)).toBe((byPid.get(survivor) ?? 0) + 20)
    expect(out).not.toMatch(/giving up/)
  })
})
