import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { apiStateCleanupScheduler } from '@/lib/api/jobs'
import { setApiLogDestination } from '@/lib/api/log'
import { defineOperation, type Operation } from '@/lib/api/operation'
import { openApiDocument } from '@/lib/api/openapi'
import { consumeRateLimit, leaseSize, RateLeases, setRateLimitsForTests } from '@/lib/api/rate-limit'
import { apiRoute } from '@/lib/api/route'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { createApiToken } from '@/lib/api-tokens/mutations'
import { API_SCOPES } from '@/lib/api-tokens/schemas'
import { createDb, db } from '@/lib/db'
import { ConflictError } from '@/lib/errors'
import { prismaSql } from '@/lib/sql/prisma'
import { createOrg, uid } from './fixtures'

const logLines: string[] = []
// pino writes each line to any object with write(string).
setApiLogDestination({ write: (line: string) => void logLines.push(line) })
afterAll(() => setApiLogDestination(undefined))
afterEach(() => setRateLimitsForTests(undefined))

type Org = Awaited<ReturnType<typeof createOrg>>
const opById = (id: string) => OPERATIONS.find((o) => o.operationId === id)!

async function newToken(org: Org) {
  return (await createApiToken(org.ctx('admin'), { name: uid('tok-'), scopes: [...API_SCOPES], expiresInDays: 30, allowedIps: [] })).token
}

type Sent = { status: number; headers: Headers; json: Record<string, unknown> | null; text: string }

/** One request through the operation's wrapper, as its route file exports it. */
async function send(op: Operation, token: string, opts: { key?: string; body?: unknown; params?: Record<string, string> } = {}): Promise<Sent> {
  const path = op.path.replace(/\{(\w+)\}/g, (_, k: string) => opts.params?.[k] ?? '')
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (opts.key !== undefined) headers['idempotency-key'] = opts.key
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const req = new Request(`http://localhost/api/v1${path}`, {
    method: op.method.toUpperCase(),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  })
  const res = await apiRoute(op)(req, { params: Promise.resolve(opts.params ?? {}) })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null }
}

// Answers are checked against the served document: the statuses and headers added here must be documented there.
type DocResponse = { headers?: Record<string, unknown>; content?: Record<string, { schema: object }> }
const doc = openApiDocument() as unknown as {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, DocResponse> }>>
  components: object
}
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
function documented(op: Operation, r: Sent) {
  const spec = doc.paths[op.path][op.method]
  const response = spec.responses[String(r.status)]
  expect(response, `${op.operationId} documents ${r.status}`).toBeDefined()
  const schema = response.content?.[r.headers.get('content-type')!.split(';')[0]]?.schema
  expect(schema, `${op.operationId} ${r.status} documents its content type`).toBeDefined()
  const check = ajv.compile({ ...schema, components: doc.components })
  expect(check(r.json), ajv.errorsText(check.errors)).toBe(true)
  for (const h of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', ...(r.status === 429 ? ['Retry-After'] : [])]) {
    expect(response.headers, `${op.operationId} ${r.status} documents ${h}`).toHaveProperty(h)
    expect(r.headers.get(h), `${h} sent`).toMatch(/^\d+$/)
  }
}

/** Fixed windows: a test that counts calls starts early in one, so the window cannot end half-way through it. */
async function freshWindow(seconds: number) {
  const left = seconds * 1000 - (Date.now() % (seconds * 1000))
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 20))
}

let a: Org
let aToken: string

beforeAll(async () => {
  a = await createOrg('Limits org A')
  aToken = await newToken(a)
})

describe('Idempotency-Key', () => {
  const create = opById('createIdentity')
  const update = opById('updateIdentity')
  const identitiesNamed = (name: string) => db.identity.count({ where: { orgId: a.org.id, name } })

  it('is documented on every POST and PATCH, with its 409 and 422 (not on a streamed NDJSON upsert, idempotent by itself)', () => {
    for (const op of OPERATIONS.filter((o) => (o.method === 'post' || o.method === 'patch') && !o.ndjson)) {
      const spec = doc.paths[op.path][op.method]
      expect(spec.parameters?.filter((p) => p.in === 'header').map((p) => p.name)).toEqual(['Idempotency-Key'])
      expect(Object.keys(spec.responses)).toEqual(expect.arrayContaining(['409', '422', '429']))
    }
  })

  it('50 identical requests at once make one identity; the others get its answer or 409; a retry gets the same answer', async () => {
    const key = `create-${uid()}`
    const body = { name: uid('idem-'), kind: 'bot' }
    const all = await Promise.all(Array.from({ length: 50 }, () => send(create, aToken, { key, body })))
    expect(await identitiesNamed(body.name)).toBe(1)
    const created = all.filter((r) => r.status === 201)
    expect(created.length).toBeGreaterThanOrEqual(1)
    expect(all.filter((r) => r.status !== 201).map((r) => r.status)).toEqual(all.filter((r) => r.status === 409).map(() => 409))
    expect(new Set(created.map((r) => r.text)).size).toBe(1)
    for (const r of all) documented(create, r)
    const id = String(created[0].json!.id)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'identity.create', targetId: id } })).toBe(1)

    const retry = await send(create, aToken, { key, body })
    expect(retry.status).toBe(201)
    expect(retry.text).toBe(created[0].text)
    expect(retry.headers.get('idempotency-replayed')).toBe('true')
    expect(retry.headers.get('x-request-id')).not.toBe(created[0].headers.get('x-request-id'))
    documented(create, retry)
    expect(await identitiesNamed(body.name)).toBe(1)

    // The same key with another body (or another path) is refused; nothing is created.
    const otherName = uid('idem-other-')
    const other = await send(create, aToken, { key, body: { ...body, name: otherName } })
    expect(other.status).toBe(422)
    expect(String(other.json!.detail)).toContain('Idempotency-Key')
    documented(create, other)
    const patched = await send(update, aToken, { key, body: { description: 'x' }, params: { id } })
    expect(patched.status).toBe(422)
    documented(update, patched)
    expect(await identitiesNamed(otherName)).toBe(0)

    // Keys belong to their token: another token's same key is a new request.
    const second = await send(create, await newToken(a), { key, body })
    expect(second.status, second.text).toBe(201)
    expect(second.json!.id).not.toBe(id)
    expect(await identitiesNamed(body.name)).toBe(2)
  })

  it('keeps the first answer sealed: a secret shown once (a webhook signing secret) is never readable in the database', async () => {
    const key = uid('secret-')
    const body = { url: 'https://receiver.example.com/custodian', events: ['identity.created'] }
    const first = await send(opById('createWebhook'), aToken, { key, body })
    expect(first.status, first.text).toBe(201)
    const secret = String(first.json!.secret)
    expect(secret).toMatch(/^whsec_/)
    const row = await db.apiIdempotencyKey.findFirstOrThrow({ where: { key } })
    expect(row.responseBody).toMatch(/^v1\./)
    for (const clear of [secret, secret.slice('whsec_'.length), 'receiver.example.com']) expect(row.responseBody).not.toContain(clear)
    const retry = await send(opById('createWebhook'), aToken, { key, body })
    expect(retry.status).toBe(201)
    expect(retry.headers.get('idempotency-replayed')).toBe('true')
    expect(retry.json!.secret).toBe(secret)
    expect(await db.webhookSubscription.count({ where: { orgId: a.org.id, url: body.url } })).toBe(1)
    // A kept answer that no longer opens (the encryption key changed, or the row was tampered with) is never replayed as another.
    await db.apiIdempotencyKey.update({ where: { id: row.id }, data: { responseBody: `${row.responseBody!.slice(0, -4)}AAAA` } })
    const broken = await send(opById('createWebhook'), aToken, { key, body })
    expect(broken.status).toBe(409)
    expect(await db.webhookSubscription.count({ where: { orgId: a.org.id, url: body.url } })).toBe(1)
  })

  it('refuses a malformed key (400), and a refused request leaves its key free for the corrected one', async () => {
    for (const key of ['', 'x'.repeat(256), 'tab\there']) {
      const r = await send(create, aToken, { key, body: { name: uid('bad-key-'), kind: 'bot' } })
      expect(r.status, JSON.stringify(key)).toBe(400)
      documented(create, r)
    }
    expect((await send(create, aToken, { key: 'x'.repeat(255), body: { name: uid('long-key-'), kind: 'bot' } })).status).toBe(201)
    const key = uid('fix-')
    const invalid = await send(create, aToken, { key, body: { name: 'fixed', kind: 'robot' } })
    expect(invalid.status).toBe(422)
    const name = uid('fixed-')
    const fixed = await send(create, aToken, { key, body: { name, kind: 'bot' } })
    expect(fixed.status, fixed.text).toBe(201)
    expect(fixed.headers.get('idempotency-replayed')).toBeNull()
    expect(await identitiesNamed(name)).toBe(1)
  })

  it('PATCH: a retry changes nothing twice and answers the first result', async () => {
    const id = String((await send(create, aToken, { body: { name: uid('patch-me-'), kind: 'bot' } })).json!.id)
    const key = uid('patch-')
    const first = await send(update, aToken, { key, body: { description: 'first' }, params: { id } })
    expect(first.status).toBe(200)
    await db.identity.update({ where: { id }, data: { description: 'changed since' } })
    const retry = await send(update, aToken, { key, body: { description: 'first' }, params: { id } })
    expect(retry.text).toBe(first.text)
    expect((await db.identity.findUniqueOrThrow({ where: { id } })).description).toBe('changed since')
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'identity.update', targetId: id } })).toBe(1)
  })

  describe('through a test operation', () => {
    let gate: Promise<void> = Promise.resolve()
    let runs = 0
    let fail: 'none' | 'crash' | 'conflict' = 'none'
    const probe = defineOperation({
      operationId: 'probe',
      method: 'post',
      path: '/identities',
      summary: 'probe',
      tag: 'Test',
      scope: 'identities:write',
      body: z.strictObject({ n: z.number() }),
      success: { status: 201, description: 'probe' },
      problems: [],
      run: async ({ body }) => {
        runs++
        await gate
        if (fail === 'crash') throw new Error('boom')
        if (fail === 'conflict') throw new ConflictError('Taken.')
        return { n: body.n, run: runs }
      },
    }) as unknown as Operation

    it('a duplicate while the first still runs gets 409 with Retry-After; afterwards the first answer', async () => {
      let open!: () => void
      gate = new Promise((r) => (open = r))
      runs = 0
      const key = uid('slow-')
      const first = send(probe, aToken, { key, body: { n: 1 } })
      await expect.poll(() => runs).toBe(1)
      const dup = await send(probe, aToken, { key, body: { n: 1 } })
      expect(dup.status).toBe(409)
      expect(dup.headers.get('retry-after')).toBe('1')
      expect(dup.headers.get('content-type')).toBe('application/problem+json')
      open()
      expect((await first).json).toEqual({ n: 1, run: 1 })
      expect((await send(probe, aToken, { key, body: { n: 1 } })).json).toEqual({ n: 1, run: 1 })
      expect(runs).toBe(1)
    })

    it('a failure of ours frees the key (the retry runs); a refusal by the operation is replayed', async () => {
      runs = 0
      fail = 'crash'
      const key = uid('crash-')
      expect((await send(probe, aToken, { key, body: { n: 2 } })).status).toBe(500)
      fail = 'none'
      expect((await send(probe, aToken, { key, body: { n: 2 } })).json).toEqual({ n: 2, run: 2 })
      fail = 'conflict'
      const k2 = uid('conflict-')
      const refused = await send(probe, aToken, { key: k2, body: { n: 3 } })
      expect(refused.status).toBe(409)
      fail = 'none'
      const again = await send(probe, aToken, { key: k2, body: { n: 3 } })
      expect(again.status).toBe(409)
      expect(again.text).toBe(refused.text)
      expect(again.headers.get('idempotency-replayed')).toBe('true')
      expect(runs).toBe(3)
    })

    it('an expired key is a new request, and the cleanup scheduler removes expired keys', async () => {
      runs = 0
      const key = uid('old-')
      await send(probe, aToken, { key, body: { n: 4 } })
      const row = await db.apiIdempotencyKey.findFirstOrThrow({ where: { key } })
      expect(row).toMatchObject({ orgId: a.org.id, status: 'done', responseStatus: 201 })
      expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(24 * 3_600_000)
      await db.apiIdempotencyKey.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
      expect((await send(probe, aToken, { key, body: { n: 5 } })).json).toEqual({ n: 5, run: 2 })
      await db.apiIdempotencyKey.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
      const live = await db.apiIdempotencyKey.count({ where: { expiresAt: { gt: new Date() } } })
      await apiStateCleanupScheduler.run(new Date())
      expect(await db.apiIdempotencyKey.count({ where: { id: row.id } })).toBe(0)
      expect(await db.apiIdempotencyKey.count()).toBe(live)
    })
  })
})

describe('rate limits', () => {
  const list = opById('listIdentities')

  it('refuses a token past its limit with 429 and Retry-After; another token of the organization only meets the organization’s limit', async () => {
    const org = await createOrg('Limits org C')
    const [t1, t2, t3] = [await newToken(org), await newToken(org), await newToken(org)]
    const outsider = await newToken(await createOrg('Limits org D'))
    setRateLimitsForTests({ perToken: 3, perOrg: 5, windowSeconds: 60 })
    await freshWindow(60)
    const seen = []
    for (let i = 0; i < 3; i++) seen.push(await send(list, t1))
    expect(seen.map((r) => [r.status, r.headers.get('ratelimit-limit'), r.headers.get('ratelimit-remaining')])).toEqual([
      [200, '3', '2'],
      [200, '3', '1'],
      [200, '3', '0'],
    ])
    for (const r of seen) documented(list, r)
    const refused = await send(list, t1)
    expect(refused.status).toBe(429)
    documented(list, refused)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(refused.headers.get('ratelimit-remaining')).toBe('0')
    expect(String(refused.json!.detail)).toContain('this token')
    expect((await send(list, t1)).status).toBe(429)
    // t1's refused calls are not the organization's: t2 still has 5 - 3 = 2 calls, then the organization's limit refuses it.
    const t2calls = [await send(list, t2), await send(list, t2), await send(list, t2)]
    expect(t2calls.map((r) => [r.status, r.headers.get('ratelimit-limit'), r.headers.get('ratelimit-remaining')])).toEqual([
      [200, '5', '1'],
      [200, '5', '0'],
      [429, '5', '0'],
    ])
    expect(String(t2calls[2].json!.detail)).toContain('organization')
    documented(list, t2calls[2])
    expect((await send(list, t3)).status).toBe(429)
    // Another organization is not touched; refusals are logged for telemetry.
    expect((await send(list, outsider)).status).toBe(200)
    const refusals = logLines.filter((l) => l.includes('"api rate limited"')).map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(refusals.filter((l) => l.org === org.org.id).map((l) => l.limitedBy)).toEqual(['token', 'token', 'org', 'org'])
    // Writes count too, and a refused write does nothing.
    const name = uid('limited-')
    expect((await send(opById('createIdentity'), t3, { key: uid(), body: { name, kind: 'bot' } })).status).toBe(429)
    expect(await db.identity.count({ where: { orgId: org.org.id, name } })).toBe(0)
  })

  it('a second client (another web process) shares the counts, exactly, under concurrency', async () => {
    const other = createDb()
    try {
      const s1 = prismaSql()
      const s2 = prismaSql(other)
      // Each process has its own shares of the counters (the module's by default).
      const [l1, l2] = [new RateLeases(), new RateLeases()]
      const who = { tokenId: uid('tok'), orgId: uid('org') }
      const limits = { perToken: 4, perOrg: 100, windowSeconds: 60 }
      const now = Date.UTC(2026, 0, 1, 12, 0, 5)
      const at = (client: typeof s1, t = now) => consumeRateLimit(who, limits, { now: t, client, leases: client === s1 ? l1 : l2 })
      const seen = [await at(s1), await at(s2), await at(s1), await at(s2), await at(s2)]
      expect(seen.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 3],
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ])
      expect(seen[4]).toMatchObject({ scope: 'token', limit: 4, resetSeconds: 55 })
      // A lagging clock does not move the window back; the next window starts afresh.
      expect((await at(s1, now - 60_000)).allowed).toBe(false)
      expect((await consumeRateLimit(who, limits, { now: now - 60_000, client: s1, leases: new RateLeases() })).allowed).toBe(false)
      expect(await at(s2, now + 60_000)).toMatchObject({ allowed: true, remaining: 3, resetSeconds: 55 })

      // Past 100 a process claims a share (1/100 of the limit) in one statement and spends it in memory: 40 calls at once
      // over two processes are 2 × 2 claims of 10, and calls waiting for a claim do not claim again.
      expect([leaseSize(4), leaseSize(100), leaseSize(1000), leaseSize(600), leaseSize(10_000_000)]).toEqual([1, 1, 10, 6, 100])
      const many = { tokenId: uid('tok'), orgId: uid('org') }
      const big = { perToken: 1000, perOrg: 1000, windowSeconds: 60 }
      const [m1, m2] = [new RateLeases(), new RateLeases()]
      await Promise.all(Array.from({ length: 40 }, (_, i) => consumeRateLimit(many, big, { now, client: i % 2 ? s1 : s2, leases: i % 2 ? m1 : m2 })))
      const rows = await db.apiRateCounter.findMany({ where: { bucket: { in: [`token:${many.tokenId}`, `org:${many.orgId}`] } } })
      expect(rows.map((r) => r.count)).toEqual([40, 40])
      // However the calls are spread over processes, a window never allows more than the limit: 1,100 calls at once
      // (three processes, 50 in flight) allow exactly 1,000, the shares claimed being all spent before the last refusals.
      const spread = { tokenId: uid('tok'), orgId: uid('org') }
      const procs = [new RateLeases(), new RateLeases(), new RateLeases()]
      let allowed = 0
      let next = 0
      await Promise.all(
        Array.from({ length: 50 }, async (_, w) => {
          while (next++ < 1100) {
            const d = await consumeRateLimit(spread, big, { now, client: w % 2 ? s1 : s2, leases: procs[next % 3] })
            if (d.allowed) allowed++
          }
        }),
      )
      expect(allowed).toBe(1000)
      // Counters of tokens that stopped calling a day ago are pruned.
      await apiStateCleanupScheduler.run(new Date(now + 86_400_000 + 120_000))
      expect(await db.apiRateCounter.count({ where: { bucket: { in: [`token:${many.tokenId}`, `token:${who.tokenId}`] } } })).toBe(0)
    } finally {
      await other.$disconnect()
    }
  })
})
