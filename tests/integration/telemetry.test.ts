import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'

// The metrics token is read from the environment once per process (lib/env): set before anything loads it.
const METRICS_TOKEN = vi.hoisted(() => {
  const t = 'telemetry-test-metrics-token-0123456789'
  process.env.METRICS_TOKEN = t
  return t
})
// Every statement the app's client sends passes here, so the queue read's own SQL can be EXPLAINed.
const captured = vi.hoisted(() => ({ on: false, list: [] as { query: string; params: string }[] }))
vi.mock('@/lib/db', async (importOriginal) => {
  const m = await importOriginal<typeof import('@/lib/db')>()
  return { ...m, db: m.createDb({ onQuery: (e) => void (captured.on && captured.list.push({ query: e.query, params: e.params })) }) }
})

import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { GET as metricsRoute } from '@/app/metrics/route'
import type { Operation } from '@/lib/api/operation'
import { setRateLimitsForTests } from '@/lib/api/rate-limit'
import { apiRoute } from '@/lib/api/route'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { createApiToken, revokeApiToken } from '@/lib/api-tokens/mutations'
import { API_SCOPES } from '@/lib/api-tokens/schemas'
import { db } from '@/lib/db'
import { startGateway } from '@/lib/gateway/runtime/server'
import { defineJob, jobRegistry } from '@/lib/jobs/define'
import { claimNextJob, runClaimedJob } from '@/lib/jobs/worker'
import { logger, setLogDestination } from '@/lib/log'
import { metricsResponse } from '@/lib/telemetry/endpoint'
import { startMetricsServer } from '@/lib/telemetry/server'
import { unsafeReadJobQueue } from '@/lib/telemetry/queue'
import { openExplainer } from '../plans/guard'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const logLines: string[] = []
setLogDestination({ write: (line: string) => void logLines.push(line) })
afterAll(() => setLogDestination(undefined))
afterEach(() => setRateLimitsForTests(undefined))

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
let token: string
const opById = (id: string) => OPERATIONS.find((o) => o.operationId === id)!

async function newToken(org: Org) {
  return (await createApiToken(org.ctx('admin'), { name: uid('tok-'), scopes: [...API_SCOPES], expiresInDays: 30, allowedIps: [] })).token
}

async function call(op: Operation, opts: { token?: string | null; params?: Record<string, string>; headers?: Record<string, string> } = {}) {
  const path = op.path.replace(/\{(\w+)\}/g, (_, k: string) => opts.params?.[k] ?? '')
  const headers = new Headers(opts.headers)
  if (opts.token !== null) headers.set('authorization', `Bearer ${opts.token ?? token}`)
  const res = await apiRoute(op)(new Request(`http://localhost/api/v1${path}`, { method: op.method.toUpperCase(), headers }), {
    params: Promise.resolve(opts.params ?? {}),
  })
  const text = await res.text()
  return { res, status: res.status, json: text && /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as Record<string, unknown>) : null }
}

async function scrape(authorization: string | null = `Bearer ${METRICS_TOKEN}`) {
  const headers = authorization ? { authorization } : undefined
  return metricsRoute(new Request('http://localhost/metrics', { headers }))
}

type Sample = { name: string; labels: Record<string, string>; value: number }
/**
 * The Prometheus text exposition format, strictly: every sample line `name{label="value",…} number`, every family
 * announced by `# HELP` and `# TYPE` before its samples. Anything else fails the test.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>()
  const helps = new Set<string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line)
    if (meta) {
      if (meta[1] === 'HELP') helps.add(meta[2])
      else {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped'], line).toContain(meta[3])
        types.set(meta[2], meta[3])
      }
      continue
    }
    // prom-client writes NaN as `Nan`; Prometheus parses floats case-insensitively (Go's ParseFloat).
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf))$/.exec(line)
    expect(m, `an exposition line: ${line}`).not.toBeNull()
    const labels: Record<string, string> = {}
    if (m![2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy
      let consumed = 0
      for (let l = re.exec(m![2]); l; l = re.exec(m![2])) {
        labels[l[1]] = l[2].replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c))
        consumed = re.lastIndex
      }
      expect(consumed, `labels of ${line}`).toBe(m![2].length)
    }
    const family = [...types.keys()].find((f) => m![1] === f || (types.get(f) === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(m![1])?.[1] === f))
    expect(family, `${m![1]} announced by # TYPE`).toBeDefined()
    expect(helps.has(family!), `${family} has # HELP`).toBe(true)
    samples.push({ name: m![1], labels, value: Number(m![3]) })
  }
  return { samples, types }
}

function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number {
  const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
  return s?.value ?? 0
}

async function samplesNow() {
  const res = await scrape()
  expect(res.status).toBe(200)
  return parseExposition(await res.text()).samples
}

beforeAll(async () => {
  a = await createOrg('Telemetry A')
  b = await createOrg('Telemetry B')
  token = await newToken(a)
})

describe(`/metrics (${engine})`, () => {
  it('refuses a scrape without the token or with a wrong one, with problem+json', async () => {
    const none = await scrape(null)
    expect(none.status).toBe(401)
    expect(none.headers.get('content-type')).toBe('application/problem+json')
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    expect(await none.json()).toMatchObject({ status: 401, instance: '/metrics', detail: expect.stringContaining('METRICS_TOKEN') })

    for (const wrong of [`Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(1)}`, `Bearer ${token}`, METRICS_TOKEN]) {
      const res = await scrape(wrong)
      expect(res.status, wrong).toBe(401)
      const text = await res.text()
      expect(text).not.toContain('custodian_')
    }
  })

  it('is off (404, saying how to turn it on) when no token is configured', async () => {
    const res = await metricsResponse(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }), null)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(((await res.json()) as { detail: string }).detail).toContain('METRICS_TOKEN')
  })

  it('answers the text exposition format with the token, and an API call counts by route, status and token kind', async () => {
    const list = opById('listIdentities')
    const before = await samplesNow()
    expect((await call(list)).status).toBe(200)
    expect((await call(list, { token: null })).status).toBe(401)

    const res = await scrape()
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const { samples, types } = parseExposition(await res.text())
    expect(Object.fromEntries([...types].filter(([n]) => n.startsWith('custodian_') && !n.includes('process') && !n.includes('nodejs')))).toMatchObject({
      custodian_http_requests_total: 'counter',
      custodian_http_request_duration_seconds: 'histogram',
      custodian_api_calls_total: 'counter',
      custodian_rate_limit_refusals_total: 'counter',
      custodian_job_outcomes_total: 'counter',
      custodian_jobs: 'gauge',
      custodian_job_oldest_due_age_seconds: 'gauge',
    })
    const route = { route: '/api/v1/identities', method: 'GET' }
    expect(valueOf(samples, 'custodian_http_requests_total', { ...route, status: '200' })).toBe(
      valueOf(before, 'custodian_http_requests_total', { ...route, status: '200' }) + 1,
    )
    expect(valueOf(samples, 'custodian_http_requests_total', { ...route, status: '401' })).toBe(
      valueOf(before, 'custodian_http_requests_total', { ...route, status: '401' }) + 1,
    )
    expect(valueOf(samples, 'custodian_http_request_duration_seconds_count', route)).toBe(
      valueOf(before, 'custodian_http_request_duration_seconds_count', route) + 2,
    )
    expect(valueOf(samples, 'custodian_api_calls_total', { token_kind: 'api_token', status: '200' })).toBe(
      valueOf(before, 'custodian_api_calls_total', { token_kind: 'api_token', status: '200' }) + 1,
    )
    expect(valueOf(samples, 'custodian_api_calls_total', { token_kind: 'none', status: '401' })).toBe(
      valueOf(before, 'custodian_api_calls_total', { token_kind: 'none', status: '401' }) + 1,
    )
    // A route label is the template, never the called path (bounded label values).
    const id = (await addIdentity(a.org.id, a.source.id)).id
    expect((await call(opById('getIdentity'), { params: { id } })).status).toBe(200)
    const after = await samplesNow()
    expect(valueOf(after, 'custodian_http_requests_total', { route: '/api/v1/identities/{id}', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(1)
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(id)))).toBe(false)
  })

  it('counts the cookie routes by their name, never the organization’s path', async () => {
    const { POST } = await import('@/app/api/orgs/[orgSlug]/imports/route')
    const before = valueOf(await samplesNow(), 'custodian_http_requests_total', { route: 'imports.upload', method: 'POST', status: '403' })
    // Another site's form post is refused before any session lookup.
    const res = await POST(
      new Request(`http://localhost/api/orgs/${a.org.slug}/imports`, { method: 'POST', headers: { origin: 'https://elsewhere.example' } }),
      {
        params: Promise.resolve({ orgSlug: a.org.slug }),
      },
    )
    expect(res.status).toBe(403)
    const after = await samplesNow()
    expect(valueOf(after, 'custodian_http_requests_total', { route: 'imports.upload', method: 'POST', status: '403' })).toBe(before + 1)
    expect(after.some((x) => Object.values(x.labels).some((v) => v.includes(a.org.slug)))).toBe(false)
  })

  it('counts rate-limit refusals', async () => {
    const own = await newToken(a)
    const before = valueOf(await samplesNow(), 'custodian_rate_limit_refusals_total', { component: 'api', scope: 'token' })
    setRateLimitsForTests({ perToken: 2, perOrg: 1000, windowSeconds: 60 })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await call(opById('listIdentities'), { token: own })).status)
    expect(statuses).toEqual([200, 200, 429, 429])
    expect(valueOf(await samplesNow(), 'custodian_rate_limit_refusals_total', { component: 'api', scope: 'token' })).toBe(before + 2)
  })
})

describe(`job queue metrics (${engine})`, () => {
  const type = `telemetry_${randomBytes(3).toString('hex')}`
  const job = (status: string, runAt: Date) => ({
    orgId: a.org.id,
    type,
    status,
    payload: '{}',
    idempotencyKey: uid(`${type}-`),
    runAt,
  })

  it('reports depth by type and status and the age of the oldest due job', async () => {
    const now = Date.now()
    await db.job.createMany({
      data: [
        job('queued', new Date(now - 120_000)),
        job('queued', new Date(now - 5_000)),
        job('queued', new Date(now + 3_600_000)),
        job('retrying', new Date(now + 60_000)),
        job('running', new Date(now - 999_000)),
        job('succeeded', new Date(now - 999_000)),
        job('failed', new Date(now - 999_000)),
      ],
    })
    const samples = await samplesNow()
    expect(valueOf(samples, 'custodian_jobs', { type, status: 'queued' })).toBe(3)
    expect(valueOf(samples, 'custodian_jobs', { type, status: 'retrying' })).toBe(1)
    expect(valueOf(samples, 'custodian_jobs', { type, status: 'running' })).toBe(1)
    expect(samples.some((s) => s.name === 'custodian_jobs' && s.labels.type === type && ['succeeded', 'failed'].includes(s.labels.status))).toBe(false)
    // The oldest due job waited two minutes; a running job or a job due later does not count.
    const age = valueOf(samples, 'custodian_job_oldest_due_age_seconds', { type })
    expect(age).toBeGreaterThanOrEqual(120)
    expect(age).toBeLessThan(300)
    // A registered job type with nothing queued is reported as 0, not left out.
    expect(samples.find((s) => s.name === 'custodian_jobs' && s.labels.type === 'send_email' && s.labels.status === 'queued')).toBeDefined()

    await db.job.updateMany({ where: { type, status: 'queued' }, data: { status: 'succeeded' } })
    const drained = await samplesNow()
    expect(valueOf(drained, 'custodian_jobs', { type, status: 'queued' })).toBe(0)
    expect(valueOf(drained, 'custodian_job_oldest_due_age_seconds', { type })).toBe(0)
    await db.job.deleteMany({ where: { type } })
  })

  it('reads the queue through an index, never the finished history', async () => {
    captured.list = []
    captured.on = true
    try {
      await unsafeReadJobQueue()
    } finally {
      captured.on = false
    }
    const reads = captured.list.filter((s) => /^\s*SELECT/i.test(s.query) && /Job/.test(s.query))
    expect(reads).toHaveLength(1)
    const explainer = await openExplainer(process.env.DATABASE_URL!)
    try {
      const plan = await explainer.explain({ query: reads[0].query, params: JSON.parse(reads[0].params) as unknown[] })
      const text = plan.lines.join('\n')
      if (engine === 'sqlite') {
        expect(text).toMatch(/SEARCH (main\.)?Job USING (COVERING )?INDEX Job_status_runAt_idx/)
        expect(text).not.toMatch(/SCAN (main\.)?Job\b(?! USING)/)
      } else {
        expect(text).toMatch(/Index (Only )?Scan using "?Job_status_runAt_idx"?|Bitmap Index Scan on "?Job_status_runAt_idx"?/)
        expect(text).not.toMatch(/Seq Scan on "?Job"?/)
      }
    } finally {
      await explainer.close()
    }
  })

  it('counts job outcomes by type in the process that ran them, served by the worker’s own /metrics', async () => {
    const ok = defineJob({ type: `${type}_ok`, payload: z.object({ k: z.string() }), key: (p) => p.k, run: async () => ({}) })
    const jobs = jobRegistry([ok])
    await db.job.create({ data: { orgId: a.org.id, type: ok.type, payload: JSON.stringify({ k: 'x' }), idempotencyKey: uid('k-') } })
    const claimed = await claimNextJob('telemetry-worker', new Date(), [ok.type])
    expect(claimed).not.toBeNull()
    expect(await runClaimedJob(claimed!, 'telemetry-worker', jobs)).toBe('succeeded')

    const server = await startMetricsServer({ port: 0, token: METRICS_TOKEN })
    try {
      expect((await fetch(server.url)).status).toBe(401)
      expect((await fetch(server.url, { headers: { authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(401)
      expect((await fetch(server.url.replace('/metrics', '/other'), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404)
      const res = await fetch(server.url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      expect(res.status).toBe(200)
      const { samples } = parseExposition(await res.text())
      expect(valueOf(samples, 'custodian_job_outcomes_total', { type: ok.type, outcome: 'succeeded' })).toBe(1)
    } finally {
      await server.close()
      await db.job.deleteMany({ where: { type: ok.type } })
    }
  })
})

describe(`gateway metrics (${engine})`, () => {
  it('serves its own /metrics on its own port, counting calls by route, status and decision', async () => {
    const gw = await startGateway({ databaseUrl: process.env.DATABASE_URL!, port: 0, metricsPort: 0, metricsToken: METRICS_TOKEN, log: () => {} })
    try {
      expect(gw.metricsUrl).not.toBe(`${gw.url}/metrics`)
      expect((await fetch(gw.metricsUrl!)).status).toBe(401)
      for (let i = 0; i < 3; i++) expect((await fetch(`${gw.url}/anything`, { headers: { 'x-request-id': `gw-telemetry-${i}` } })).status).toBe(401)
      const res = await fetch(gw.metricsUrl!, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      expect(res.status).toBe(200)
      const { samples } = parseExposition(await res.text())
      expect(valueOf(samples, 'custodian_gateway_requests_total', { route: 'none', method: 'GET', status: '401', decision: 'deny' })).toBeGreaterThanOrEqual(3)
      expect(valueOf(samples, 'custodian_gateway_request_duration_seconds_count', { route: 'none', decision: 'deny' })).toBeGreaterThanOrEqual(3)
    } finally {
      await gw.close()
    }
  })
})

describe(`request id (${engine})`, () => {
  it('goes from the X-Request-Id header to the problem body and the audit row of that request', async () => {
    const bIdentity = await addIdentity(b.org.id, b.source.id)
    const requestId = `rid-${randomBytes(6).toString('hex')}`
    const r = await call(opById('getIdentity'), { params: { id: bIdentity.id }, headers: { 'x-request-id': requestId } })
    expect(r.status).toBe(404)
    expect(r.res.headers.get('x-request-id')).toBe(requestId)
    expect(r.json).toMatchObject({ status: 404, requestId })
    const rows = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'api.getIdentity', outcome: 'denied' }, orderBy: { seq: 'desc' }, take: 5 })
    expect(rows.map((row) => (JSON.parse(row.details) as { requestId?: string }).requestId)).toContain(requestId)
    expect(logLines.some((l) => l.includes(requestId) && l.includes('"msg":"api call"'))).toBe(true)
  })

  it('replaces an unusable incoming id with its own', async () => {
    const r = await call(opById('listIdentities'), { token: null, headers: { 'x-request-id': 'bad id with spaces' } })
    const id = r.res.headers.get('x-request-id')!
    expect(id).toMatch(/^req_[0-9a-f-]{36}$/)
    expect(r.json).toMatchObject({ status: 401, requestId: id })
  })
})

describe(`no secret in the log (${engine})`, () => {
  it('a request carrying a token, a refused token and a careless log call leave no token text in the log', async () => {
    const created = await createApiToken(a.ctx('admin'), { name: uid('tok-'), scopes: [...API_SCOPES], expiresInDays: 30, allowedIps: [] })
    const revoked = created.token
    await revokeApiToken(a.ctx('admin'), { tokenId: created.id })
    const malformed = `cust_${'A'.repeat(42)}`
    logLines.length = 0
    expect((await call(opById('listIdentities'))).status).toBe(200)
    expect((await call(opById('listIdentities'), { token: revoked })).status).toBe(401)
    expect((await call(opById('listIdentities'), { token: malformed })).status).toBe(401)
    // Someone logs a whole request, an error quoting a token and a password: redaction and the line filter catch them.
    const careless = logger('api')
    careless.info({ headers: { authorization: `Bearer ${token}`, cookie: 'authjs.session-token=cookie-secret-value' } }, 'incoming')
    careless.warn({ req: { headers: { authorization: `Bearer ${revoked}` } }, password: 'hunter2-password-value', secret: 'plain-secret-value' }, 'oops')
    careless.error({ err: { message: `token ${revoked} failed` } }, `calling with ${token}`)
    careless.info({ subject_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3b3JrbG9hZCJ9.c2lnbmF0dXJlLXZhbHVl' }, 'exchange')
    const log = logLines.join('')
    expect(logLines.length).toBeGreaterThanOrEqual(6)
    for (const secret of [
      token,
      revoked,
      malformed,
      token.slice(13, 41),
      revoked.slice(13, 41),
      'cookie-secret-value',
      'hunter2-password-value',
      'plain-secret-value',
      'c2lnbmF0dXJlLXZhbHVl',
    ])
      expect(log.includes(secret), `the log holds ${secret.slice(0, 12)}…`).toBe(false)
    expect(log).toContain('[redacted]')
    // Still JSON lines with the fields a reader needs.
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow()
    const apiCall = JSON.parse(logLines.find((l) => l.includes('"msg":"api call"'))!) as Record<string, unknown>
    expect(apiCall).toMatchObject({ level: 'info', component: 'api', requestId: expect.any(String), tokenKind: 'api_token', status: 200 })
  })
})
