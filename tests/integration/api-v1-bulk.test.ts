import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_NDJSON_LINE_BYTES } from '@/lib/api/route'
import { bulkUpsertIdentitiesOp } from '@/lib/api/v1/identities'
import { createApiToken } from '@/lib/api-tokens/mutations'
import type { ApiScope } from '@/lib/api-tokens/schemas'
import { db } from '@/lib/db'
import { recomputeFindingsJob } from '@/lib/findings/jobs'
import { refreshStatisticsJob } from '@/lib/jobs/statistics'
import { drainJobs } from '@/lib/jobs/worker'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { apiCaller, validate } from './api-client'
import { createOrg, engine, uid } from './fixtures'

// POST /api/v1/identities/bulk: NDJSON read as it arrives, applied by the sync engine in batches, by external id.

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
let writer: string
let reader: string
const call = apiCaller(() => writer)

async function token(org: Org, scopes: ApiScope[]) {
  return (await createApiToken(org.ctx('admin'), { name: uid('bulk-'), scopes, expiresInDays: 7, allowedIps: [] })).token
}

const ndjson = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n'
const NDJSON = { 'content-type': 'application/x-ndjson' }

/** A body sent in small chunks, split inside lines, as a slow client would stream it. */
function chunked(text: string, size = 37): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      c.enqueue(bytes.slice(at, at + size))
      at += size
    },
  })
}

beforeAll(async () => {
  a = await createOrg('Bulk A')
  b = await createOrg('Bulk B')
  writer = await token(a, ['identities:write', 'identities:read'])
  reader = await token(a, ['identities:read'])
})

describe(`bulk upsert of identities by NDJSON (${engine})`, () => {
  it('creates, then updates by external id; bad lines are reported by number and the rest applied; audited per batch', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      external_id: `svc-${i}`,
      name: `bulk-svc-${i}`,
      kind: i % 3 === 0 ? 'ci_cd' : 'service_account',
      environment: 'production',
      tags: { team: 'data', n: String(i % 7) },
      last_used_at: i % 2 ? '2026-11-01T00:00:00Z' : 'never',
    }))
    const body = ndjson([...rows.slice(0, 600), 'not json at all', { name: '' }, ...rows.slice(600)])
    const r = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: chunked(body), query: {} })
    expect(r.status).toBe(200)
    validate(bulkUpsertIdentitiesOp, 200, r.res.headers.get('content-type'), r.json)
    expect(r.json).toMatchObject({ added: 1200, changed: 0, errors: 2 })
    const samples = (r.json as { errorSamples: { line: number; message: string }[] }).errorSamples
    expect(samples.map((s) => s.line)).toEqual([601, 602])
    expect(samples[0].message).toMatch(/not valid JSON/)
    expect(samples[1].message).toMatch(/external_id \(or name\) is required/)
    const sourceId = (r.json as { sourceId: string }).sourceId
    expect(await db.source.findUniqueOrThrow({ where: { id: sourceId } })).toMatchObject({ orgId: a.org.id, type: 'api' })
    expect(await db.identity.count({ where: { orgId: a.org.id, sourceId } })).toBe(1200)
    const one = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, sourceId, externalId: 'svc-3' }, include: { tags: true } })
    expect(one).toMatchObject({ name: 'bulk-svc-3', kind: 'ci_cd', environment: 'production' })
    expect(one.tags.map((t) => `${t.key}=${t.value}`).sort()).toEqual(['n=3', 'team=data'])
    const audits = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'source.sync', targetId: sourceId } })
    expect(audits.length).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(audits.at(-1)!.details)).toMatchObject({ via: 'api-bulk', mode: 'partial' })
    expect(audits.every((e) => e.actorType === 'api_token')).toBe(true)

    // Again with two renamed: two changed, the rest unchanged, nothing marked gone.
    const again = rows.map((x, i) => (i < 2 ? { ...x, name: `renamed-${i}` } : x))
    const r2 = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: ndjson(again.slice(0, 100)), query: {} })
    expect(r2.json).toMatchObject({ added: 0, changed: 2, unchanged: 98, errors: 0 })
    expect(await db.identity.count({ where: { orgId: a.org.id, sourceId, status: 'deleted' } })).toBe(0)
  })

  it('queues the findings recompute when something changed, and stale statistics are refreshed by the worker, not the request', async () => {
    const WAITING = { in: ['queued', 'retrying'] }
    const recomputes = () => db.job.count({ where: { orgId: a.org.id, type: recomputeFindingsJob.type, status: WAITING } })
    const refreshes = () => db.job.count({ where: { type: refreshStatisticsJob.type, status: WAITING } })
    const identityStats = async () => {
      const [{ n }] = await prismaSql().query<{ n: unknown }>(sql`SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE "tbl" = 'Identity'`)
      return Number(n)
    }
    await drainJobs()
    await db.job.deleteMany({ where: { type: { in: [recomputeFindingsJob.type, refreshStatisticsJob.type] }, status: WAITING } })
    // SQLite can forget its statistics (PostgreSQL cannot): then any sync of 50 rows or more leaves them stale.
    if (engine === 'sqlite') {
      await prismaSql().execute(sql`ANALYZE "Organization"`)
      await prismaSql().execute(sql`DELETE FROM sqlite_stat1`)
    }
    const rows = Array.from({ length: 80 }, (_, i) => ({ external_id: uid('stat-'), name: `stat-${i}`, kind: 'service_account' }))
    const r = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: ndjson(rows), query: {} })
    expect(r.json).toMatchObject({ added: 80 })
    expect(await recomputes()).toBe(1)
    // Not analyzed in the request: a refresh waits for the worker, one for however many requests asked.
    if (engine === 'sqlite') expect([await identityStats(), await refreshes()]).toEqual([0, 1])
    const renamed = rows.map((x) => ({ ...x, name: `${x.name}-b` }))
    expect((await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: ndjson(renamed), query: {} })).json).toMatchObject({ changed: 80 })
    expect(await recomputes()).toBe(1)
    if (engine === 'sqlite') expect(await refreshes()).toBe(1)
    await drainJobs()
    expect(await recomputes()).toBe(0)
    if (engine === 'sqlite') expect(await identityStats()).toBeGreaterThan(0)
    // The recompute ran over the new identities: they are unowned, and said so.
    const one = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, externalId: rows[0].external_id }, select: { id: true } })
    expect(await db.finding.count({ where: { orgId: a.org.id, identityId: one.id, status: 'open' } })).toBeGreaterThan(0)

    // Nothing changed: nothing to recompute.
    const same = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: ndjson(renamed), query: {} })
    expect(same.json).toMatchObject({ added: 0, changed: 0, unchanged: 80 })
    expect(await recomputes()).toBe(0)
  })

  it('refuses the wrong content type (415), a token without the scope (403), another organization’s source (404)', async () => {
    const json = await call(bulkUpsertIdentitiesOp, { headers: { 'content-type': 'application/json' }, body: '[]', query: {} })
    expect(json.status).toBe(415)
    expect(json.json?.detail).toMatch(/application\/x-ndjson/)
    const noScope = await call(bulkUpsertIdentitiesOp, { token: reader, headers: NDJSON, body: ndjson([{ name: 'x' }]), query: {} })
    expect(noScope.status).toBe(403)
    const foreign = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: ndjson([{ name: 'x' }]), query: { sourceId: b.source.id } })
    expect(foreign.status).toBe(404)
    expect(await db.identity.count({ where: { orgId: b.org.id, name: 'x' } })).toBe(0)
    expect(await db.identity.count({ where: { orgId: a.org.id, name: 'x' } })).toBe(0)
    // The sources Custodian keeps itself (its tokens, its gateway's routes) are not written by a feed: 422, nothing applied.
    const tokens = await db.source.findFirstOrThrow({ where: { orgId: a.org.id, type: 'custodian_tokens' } })
    const gateway = await db.source.create({ data: { orgId: a.org.id, name: 'Custodian gateway', type: 'gateway' } })
    for (const own of [tokens, gateway]) {
      const r = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: ndjson([{ name: 'x', externalId: 'x' }]), query: { sourceId: own.id } })
      expect(r.status, own.type).toBe(422)
      expect(await db.identity.count({ where: { sourceId: own.id, name: 'x' } })).toBe(0)
    }
  })

  it('stops at a line longer than the limit with 413; that line is never applied', async () => {
    const long = `{"external_id":"long","name":"${'x'.repeat(MAX_NDJSON_LINE_BYTES + 10)}"}`
    const r = await call(bulkUpsertIdentitiesOp, {
      headers: NDJSON,
      body: chunked(ndjson([{ external_id: 'before-long', name: 'before-long' }]) + long + '\n', 65_536),
      query: {},
    })
    expect(r.status, r.text).toBe(413)
    expect(r.json?.detail).toMatch(/line is longer/)
    expect(await db.identity.count({ where: { orgId: a.org.id, externalId: 'long' } })).toBe(0)
  })

  it('writes into a named source of the organization, and an empty body changes nothing', async () => {
    const r = await call(bulkUpsertIdentitiesOp, {
      headers: NDJSON,
      body: ndjson([{ external_id: 'k1', name: 'into-source' }]),
      query: { sourceId: a.source.id },
    })
    expect(r.status).toBe(200)
    expect(await db.identity.count({ where: { orgId: a.org.id, sourceId: a.source.id, externalId: 'k1' } })).toBe(1)
    const empty = await call(bulkUpsertIdentitiesOp, { headers: NDJSON, body: '', query: {} })
    expect(empty.status).toBe(200)
    expect(empty.json).toMatchObject({ added: 0, changed: 0, errors: 0 })
  })
})
