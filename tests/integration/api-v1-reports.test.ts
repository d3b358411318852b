import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setApiLogDestination } from '@/lib/api/log'
import type { Operation } from '@/lib/api/operation'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { createApiToken } from '@/lib/api-tokens/mutations'
import type { ApiScope } from '@/lib/api-tokens/schemas'
import { getDashboard } from '@/lib/dashboard/queries'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import { apiCaller, validate } from './api-client'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let b: Org
let campaignId: string

setApiLogDestination(new Writable({ write: (_chunk, _enc, cb) => cb() }))
afterAll(() => setApiLogDestination(undefined))

const call = apiCaller(() => '')
const op = (id: string): Operation => OPERATIONS.find((o) => o.operationId === id)!
const JSON_HEADERS = { 'content-type': 'application/json' }
const documented = (id: string, r: Awaited<ReturnType<typeof call>>) =>
  validate(op(id), r.status, r.res.headers.get('content-type'), op(id).success.file && r.status < 300 ? r.text : r.json)

/** The organization's API tokens as identities (not deleted; `all`: deleted ones too). */
const tokenIdentities = (orgId: string, all = false) =>
  db.identity.count({ where: { orgId, source: { type: 'custodian_tokens' }, ...(all ? {} : { status: { not: 'deleted' } }) } })

async function token(org: Org, scopes: readonly ApiScope[]) {
  return createApiToken(org.ctx('admin'), { name: uid('tok-'), scopes: [...scopes], expiresInDays: 30, allowedIps: [] })
}

beforeAll(async () => {
  a = await createOrg('API reports A')
  b = await createOrg('API reports B')
  const kinds = ['service_account', 'service_account', 'bot', 'ci_cd', 'api_key'] as const
  const ids: string[] = []
  for (const [i, kind] of kinds.entries())
    ids.push((await addIdentity(a.org.id, a.source.id, { name: uid('rep-'), kind, ownerId: i === 0 ? a.people.member.id : null, riskScore: i * 20 })).id)
  await addIdentity(a.org.id, a.source.id, { kind: 'bot', status: 'disabled' })
  await addIdentity(a.org.id, a.source.id, { kind: 'bot', status: 'deleted' })
  for (let i = 0; i < 3; i++) await addIdentity(b.org.id, b.source.id, { kind: 'ai_agent' })
  const finding = (orgId: string, identityId: string, owaspCode: string, severity: string, status = 'open') =>
    db.finding.create({
      data: { orgId, identityId, rule: uid('rule-'), owaspCode, severity, severityRank: 1, title: 'x', status },
    })
  await finding(a.org.id, ids[0], 'NHI1', 'high')
  await finding(a.org.id, ids[1], 'NHI1', 'high')
  await finding(a.org.id, ids[2], 'NHI7', 'critical')
  await finding(a.org.id, ids[3], 'NHI2', 'low', 'resolved')
  const bIdentity = await addIdentity(b.org.id, b.source.id)
  await finding(b.org.id, bIdentity.id, 'NHI9', 'medium')
  campaignId = (
    await db.campaign.create({
      data: { orgId: a.org.id, name: 'Quarterly review', type: 'identity', status: 'active', itemCount: 8, decidedCount: 2, launchedAt: new Date() },
    })
  ).id
  for (const status of ['pending', 'applied', 'applied', 'failed'])
    await db.remediation.create({ data: { orgId: a.org.id, identityId: ids[0], kind: 'disable_identity', status, justification: 'test' } })
  await db.remediation.create({
    data: {
      orgId: a.org.id,
      identityId: ids[0],
      kind: 'disable_identity',
      status: 'applied',
      justification: 'old',
      createdAt: new Date(Date.now() - 90 * 86_400_000),
    },
  })
})

describe(`GET /metrics (${engine})`, () => {
  it('answers the dashboard’s figures from the maintained counters, the organization’s only', async () => {
    const t = await token(a, ['identities:read'])
    const r = await call(op('getMetrics'), { token: t.token })
    expect(r.status, r.text).toBe(200)
    documented('getMetrics', r)
    const m = r.json as {
      identities: { total: number; byKind: Record<string, number>; byStatus: Record<string, number>; unowned: number; highRisk: number }
      findings: { open: number; bySeverity: Record<string, number>; byCode: Record<string, number> }
      campaigns: { byStatus: Record<string, number>; active: { id: string; completion: number }[] }
      remediations: { byStatus: Record<string, number>; windowDays: number }
    }
    // The API tokens made for this test are NHIs of the organization too (api_key identities owned by the admin).
    const tokens = await tokenIdentities(a.org.id)
    expect(m.identities).toMatchObject({
      total: 6 + tokens,
      byStatus: { active: 5 + tokens, disabled: 1, deleted: 1, quarantined: 0 },
      unowned: 5,
      highRisk: 1,
    })
    expect(m.identities.byKind).toMatchObject({ service_account: 2, bot: 2, ci_cd: 1, api_key: 1 + tokens, ai_agent: 0 })
    // The same numbers as the dashboard shows.
    const dash = await getDashboard(a.ctx('admin'), 30)
    for (const [kind, n] of Object.entries(dash.metrics.byKind)) expect(m.identities.byKind[kind], kind).toBe(n)
    expect(m.identities.unowned).toBe(dash.metrics.unowned)
    expect(m.findings).toEqual({
      open: 3,
      bySeverity: { critical: 1, high: 2, medium: 0, low: 0 },
      byCode: expect.objectContaining({ NHI1: 2, NHI7: 1, NHI2: 0, NHI9: 0 }),
    })
    expect(m.campaigns.byStatus).toEqual({ active: 1 })
    expect(m.campaigns.active).toEqual([expect.objectContaining({ id: campaignId, completion: 25 })])
    expect(m.remediations).toMatchObject({ windowDays: 30, byStatus: { pending: 1, applied: 2, failed: 1, manual: 0, canceled: 0 } })
    const bad = await call(op('getMetrics'), { token: t.token, query: { org: b.org.id } })
    expect(bad.status).toBe(400)
    documented('getMetrics', bad)
    const other = await call(op('getMetrics'), { token: (await token(b, ['identities:read'])).token })
    expect(other.json).toMatchObject({ identities: { total: 4 + (await tokenIdentities(b.org.id)), byKind: { ai_agent: 3 } }, findings: { open: 1 } })
  })
})

describe(`POST /reports, GET /reports/{id} and /download (${engine})`, () => {
  it('starts an export (202, Location: the report), follows it to ready, and downloads the file with its checksum, each audited', async () => {
    const t = await token(a, ['reports:write', 'reports:read'])
    const r = await call(op('startReport'), { token: t.token, body: JSON.stringify({ kind: 'inventory' }), headers: JSON_HEADERS })
    expect(r.status, r.text).toBe(202)
    documented('startReport', r)
    const id = String(r.json!.id)
    expect(r.res.headers.get('location')).toBe(`/api/v1/reports/${id}`)
    expect(r.json).toMatchObject({ kind: 'inventory', status: 'queued', format: 'csv', operationId: expect.any(String) })
    const row = await db.reportExport.findUniqueOrThrow({ where: { id } })
    expect(row).toMatchObject({ orgId: a.org.id, requestedById: a.people.admin.id })
    const started = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'report.export', targetId: id } })
    expect(started).toMatchObject({ actorType: 'api_token', actorId: t.id })
    expect(JSON.parse(started.details)).toMatchObject({ onBehalfOf: { id: a.people.admin.id } })
    const early = await call(op('downloadReport'), { token: t.token, params: { id } })
    expect(early.status).toBe(404)
    documented('downloadReport', early)

    await drainJobs()
    const polled = await call(op('getReport'), { token: t.token, params: { id } })
    expect(polled.status, polled.text).toBe(200)
    documented('getReport', polled)
    expect(polled.json).toMatchObject({ status: 'ready', rows: 8 + (await tokenIdentities(a.org.id, true)), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const file = await call(op('downloadReport'), { token: t.token, params: { id } })
    expect(file.status, file.text).toBe(200)
    documented('downloadReport', file)
    expect(file.res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(file.res.headers.get('content-disposition')).toContain(row.filename)
    const sha = createHash('sha256').update(file.text, 'utf8').digest()
    expect(file.res.headers.get('x-checksum-sha256')).toBe(sha.toString('hex'))
    expect(file.res.headers.get('x-checksum-sha256')).toBe(polled.json!.sha256)
    expect(file.res.headers.get('repr-digest')).toBe(`sha-256=:${sha.toString('base64')}:`)
    expect(file.text.split('\n').filter(Boolean)).toHaveLength(8 + (await tokenIdentities(a.org.id, true)))
    const downloaded = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'report.download', targetId: id } })
    expect(downloaded).toMatchObject({ actorType: 'api_token', actorId: t.id })
  })

  it('takes the Reports page’s kinds and checks them (422), asks audit:read for the audit log (403), and never reaches another organization', async () => {
    const t = await token(a, ['reports:write', 'reports:read', 'audit:read'])
    const start = (body: unknown, tok = t.token) => call(op('startReport'), { token: tok, body: JSON.stringify(body), headers: JSON_HEADERS })
    for (const body of [
      { kind: 'everything' },
      { kind: 'inventory', format: 'jsonl' },
      { kind: 'campaign-evidence' },
      { kind: 'evidence-pack' },
      { kind: 'inventory', format: 'pdf' },
      { kind: 'audit-log', format: 'pdf' },
      { kind: 'evidence-pack', campaign: campaignId, format: 'csv' },
      { kind: 'audit-log', from: '2026-13-01' },
      { kind: 'audit-log', from: '2025-01-01', to: '2026-06-01' },
      { kind: 'access', extra: 1 },
    ]) {
      const r = await start(body)
      expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(422)
      documented('startReport', r)
    }
    const noAudit = await token(a, ['reports:write'])
    expect((await start({ kind: 'audit-log', format: 'jsonl' }, noAudit.token)).status).toBe(403)
    const log = await start({ kind: 'audit-log', format: 'jsonl' })
    expect(log.status, log.text).toBe(202)
    expect(log.json).toMatchObject({ kind: 'audit-log', format: 'jsonl' })
    const evidence = await start({ kind: 'campaign-evidence', campaign: campaignId })
    expect(evidence.status, evidence.text).toBe(202)
    // The evidence pack (ZIP) and the PDF are jobs too; the pack also needs audit:read.
    expect((await start({ kind: 'evidence-pack', campaign: campaignId }, noAudit.token)).status).toBe(403)
    const pack = await start({ kind: 'evidence-pack', campaign: campaignId })
    expect(pack.status, pack.text).toBe(202)
    expect(pack.json).toMatchObject({ kind: 'evidence-pack', format: 'zip' })
    documented('startReport', pack)
    const pdf = await start({ kind: 'campaign-evidence', campaign: campaignId, format: 'pdf' })
    expect(pdf.status, pdf.text).toBe(202)
    expect(pdf.json).toMatchObject({ kind: 'campaign-evidence', format: 'pdf' })
    const bt = await token(b, ['reports:write', 'reports:read'])
    const foreign = await start({ kind: 'campaign-evidence', campaign: campaignId }, bt.token)
    expect(foreign.status, foreign.text).toBe(404)
    documented('startReport', foreign)
    for (const id of ['getReport', 'downloadReport']) {
      const r = await call(op(id), { token: bt.token, params: { id: String(evidence.json!.id) } })
      expect(r.status, r.text).toBe(404)
      documented(id, r)
    }
    await drainJobs()
    // The finished pack downloads as a ZIP; a token without audit:read may not read the audit log inside it.
    const zip = await call(op('downloadReport'), { token: t.token, params: { id: String(pack.json!.id) } })
    expect(zip.status, zip.text).toBe(200)
    expect(zip.res.headers.get('content-type')).toBe('application/zip')
    documented('downloadReport', zip)
    const readOnly = await token(a, ['reports:read'])
    const refused = await call(op('downloadReport'), { token: readOnly.token, params: { id: String(pack.json!.id) } })
    expect(refused.status, refused.text).toBe(403)
    documented('downloadReport', refused)
  })
})
