import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { ForbiddenError, NotFoundError } from '@/lib/errors'
import { drainJobs, laneTypes } from '@/lib/jobs/worker'
import { auditLogJsonl } from '@/lib/reports/audit-log'
import { campaignEvidenceCsv, getReportCampaignOrThrow, summarizeCampaign } from '@/lib/reports/campaign-evidence'
import { downloadAccess } from '@/lib/reports/downloads'
import { exportDir, exportFile } from '@/lib/reports/export-files'
import { downloadExport, listMyExports, startExport } from '@/lib/reports/exports'
import { inventoryCsv } from '@/lib/reports/inventory'
import { EXPORT_FAILED, exportSources, reportExportJob, reportExportsCleanupScheduler } from '@/lib/reports/jobs'
import { rangeBounds } from '@/lib/reports/schemas'
import type { TextSource } from '@/lib/reports/stream'
import { addIdentity, createOrg, engine } from './fixtures'

const DAY = 86_400_000
type Org = Awaited<ReturnType<typeof createOrg>>
const bytes = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer())
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')
const joined = async (source: TextSource) => {
  let out = ''
  for await (const chunk of source) out += chunk
  return Buffer.from(out, 'utf8')
}
const lines = (b: Buffer, format: string) => {
  // records: newlines outside quoted CSV cells
  let n = 0
  let q = false
  for (const ch of b.toString('utf8')) {
    if (ch === '"' && format === 'csv') q = !q
    else if (ch === '\n' && !q) n++
  }
  return n
}

describe(`background report exports (${engine})`, () => {
  let a: Org
  let b: Org
  let campaignId: string

  beforeAll(async () => {
    a = await createOrg('Alpha exports')
    b = await createOrg('Beta exports')
    for (let i = 0; i < 7; i++) await addIdentity(a.org.id, a.source.id, { name: `x-exp-${i}`, ownerId: i % 2 ? a.people.member.id : null })
    await addIdentity(a.org.id, a.source.id, { name: 'multi\nline "quoted", name' })
    const c = await db.campaign.create({
      data: { orgId: a.org.id, name: 'Export review', type: 'identity', status: 'active', launchedAt: new Date(), dueAt: new Date(Date.now() + 7 * DAY) },
    })
    campaignId = c.id
  })

  async function runExport(ctx: ReturnType<Org['ctx']>, params: Parameters<typeof startExport>[1]) {
    const { id } = await startExport(ctx, params)
    await drainJobs()
    return db.reportExport.findUniqueOrThrow({ where: { id } })
  }

  it('writes the inventory to a file equal to the streamed generator, with rows, progress, size and SHA-256', async () => {
    const e = await runExport(a.ctx('auditor'), { kind: 'inventory' })
    expect(e.status).toBe('ready')
    const file = fs.readFileSync(exportFile(e))
    const streamed = await joined(inventoryCsv(a.ctx('auditor'), { now: e.createdAt }))
    expect(file.equals(streamed)).toBe(true)
    expect(e.bytes).toBe(file.length)
    expect(e.sha256).toBe(sha256(file))
    expect(e.rows).toBe(lines(file, 'csv'))
    expect(e.rows).toBe(9)
    expect(e.expectedRows).toBe(9)
    expect(e.expiresAt.getTime() - e.createdAt.getTime()).toBe(7 * DAY)
    const job = await db.job.findUniqueOrThrow({ where: { id: e.jobId! } })
    expect(job.status).toBe('succeeded')
    expect(job.progress).toBe(9)
    expect(job.total).toBe(9)
    const started = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'report.export', targetId: e.id } })
    expect(started.actorId).toBe(a.people.auditor.id)

    // The download serves those bytes and audits them with the SHA-256.
    const d = await downloadExport(a.ctx('admin'), e.id)
    expect((await bytes(d.body)).equals(file)).toBe(true)
    expect(d.filename).toMatch(/^custodian-.*-inventory-\d{4}-\d{2}-\d{2}\.csv$/)
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'report.download', targetId: e.id } })
    expect(JSON.parse(audit.details ?? '{}')).toMatchObject({ sha256: e.sha256, bytes: e.bytes, exportId: e.id })
    expect((await listMyExports(a.ctx('auditor'))).map((x) => x.id)).toContain(e.id)
    expect((await listMyExports(a.ctx('admin'))).map((x) => x.id)).not.toContain(e.id)
  })

  it('runs in the worker’s reports lane, beside (never in front of) the interactive lane’s revocations', async () => {
    expect(reportExportJob.lane).toBe('reports')
    expect(laneTypes('reports')).toEqual(['report_export'])
    expect(laneTypes('interactive')).not.toContain('report_export')
  })

  it('writes the access report byte for byte as the streamed route does', async () => {
    const e = await runExport(a.ctx('governance'), { kind: 'access' })
    expect(e.status).toBe('ready')
    const streamed = await bytes((await downloadAccess(a.ctx('governance'))).body)
    expect(fs.readFileSync(exportFile(e)).equals(streamed)).toBe(true)
  })

  it('writes the audit log (JSON Lines) of a range up to the chain head at the request', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const e = await runExport(a.ctx('auditor'), { kind: 'audit-log', format: 'jsonl', from: today, to: today })
    expect(e.status).toBe('ready')
    const p = JSON.parse(e.params) as { throughSeq: number }
    const streamed = await joined(auditLogJsonl(a.ctx('auditor'), { ...rangeBounds({ from: today, to: today }), maxSeq: p.throughSeq }))
    const file = fs.readFileSync(exportFile(e))
    expect(file.equals(streamed)).toBe(true)
    expect(e.rows).toBe(e.expectedRows)
    expect(e.rows).toBeGreaterThan(0)
    expect(e.filename.endsWith('.jsonl')).toBe(true)
  })

  it('writes campaign evidence as the streamed CSV', async () => {
    const e = await runExport(a.ctx('auditor'), { kind: 'campaign-evidence', campaign: campaignId })
    expect(e.status).toBe('ready')
    const ctx = a.ctx('auditor')
    const c = await getReportCampaignOrThrow(ctx, campaignId)
    const streamed = await joined(
      campaignEvidenceCsv(ctx, c, await summarizeCampaign(ctx, c), { at: e.createdAt, by: { name: ctx.user.name, email: ctx.user.email } }),
    )
    expect(fs.readFileSync(exportFile(e)).equals(streamed)).toBe(true)
  })

  it('another organization can neither start an export of these records nor read or download one', async () => {
    const e = await runExport(a.ctx('auditor'), { kind: 'access' })
    await expect(downloadExport(b.ctx('admin'), e.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(startExport(b.ctx('admin'), { kind: 'campaign-evidence', campaign: campaignId })).rejects.toBeInstanceOf(NotFoundError)
    expect(await listMyExports(b.ctx('admin'))).toEqual([])
    await expect(startExport(a.ctx('member'), { kind: 'inventory' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(downloadExport(a.ctx('member'), e.id)).rejects.toBeInstanceOf(ForbiddenError)
    // The job of another organization's export id does nothing to it.
    await db.job.create({
      data: { orgId: b.org.id, type: reportExportJob.type, payload: JSON.stringify({ exportId: e.id }), idempotencyKey: `x-${e.id}`, maxAttempts: 1 },
    })
    await drainJobs()
    expect((await db.reportExport.findUniqueOrThrow({ where: { id: e.id } })).status).toBe('ready')
  })

  it('a generator that throws part-way marks the export failed, with no file and nothing to download', async () => {
    const original = exportSources.of
    exportSources.of = async () =>
      (async function* () {
        yield 'a,b\n1,2\n'
        throw new Error('database went away')
      })()
    try {
      const e = await runExport(a.ctx('auditor'), { kind: 'inventory' })
      expect(e.status).toBe('failed')
      expect(e.error).toBe(EXPORT_FAILED)
      expect(e.path).toBeNull()
      expect(e.sha256).toBeNull()
      expect(fs.existsSync(exportFile(e))).toBe(false)
      expect(fs.readdirSync(exportDir()).filter((n) => n.startsWith(`${e.id}.`))).toEqual([])
      expect((await db.job.findUniqueOrThrow({ where: { id: e.jobId! } })).status).toBe('failed')
      await expect(downloadExport(a.ctx('auditor'), e.id)).rejects.toBeInstanceOf(NotFoundError)
      const listed = (await listMyExports(a.ctx('auditor'))).find((x) => x.id === e.id)
      expect(listed).toMatchObject({ status: 'failed', error: EXPORT_FAILED, bytes: null })
    } finally {
      exportSources.of = original
    }
  })

  it('never serves a file that is not the complete one recorded', async () => {
    const e = await runExport(a.ctx('auditor'), { kind: 'access' })
    fs.appendFileSync(exportFile(e), 'tampered')
    await expect(downloadExport(a.ctx('auditor'), e.id)).rejects.toBeInstanceOf(NotFoundError)
    await db.reportExport.update({ where: { id: e.id }, data: { status: 'running' } })
    await expect(downloadExport(a.ctx('auditor'), e.id)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('deletes expired exports and their files', async () => {
    const e = await runExport(a.ctx('auditor'), { kind: 'access' })
    const kept = await runExport(a.ctx('auditor'), { kind: 'access' })
    await db.reportExport.update({ where: { id: e.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    await expect(downloadExport(a.ctx('auditor'), e.id)).rejects.toBeInstanceOf(NotFoundError)
    await reportExportsCleanupScheduler.run(new Date())
    expect(fs.existsSync(exportFile(e))).toBe(false)
    expect(await db.reportExport.findUnique({ where: { id: e.id } })).toBeNull()
    expect(fs.existsSync(exportFile(kept))).toBe(true)
    expect(await db.reportExport.findUnique({ where: { id: kept.id } })).not.toBeNull()
  })
})
