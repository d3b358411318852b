import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import { auditHash } from '@/lib/audit/chain'
import { createCheckpoint } from '@/lib/audit/checkpoints'
import { decideItem } from '@/lib/campaigns/decide'
import { createCampaign, reassignItems, requestClose } from '@/lib/campaigns/mutations'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { drainJobs } from '@/lib/jobs/worker'
import { ITEM_COLUMNS } from '@/lib/reports/campaign-evidence'
import { downloadAccess, downloadAuditLog, downloadCampaignEvidence, downloadEvidencePack, downloadInventory, pdfRenderer } from '@/lib/reports/downloads'
import { ACCESS_COLUMNS, INVENTORY_COLUMNS, accessCsv, inventoryCsv } from '@/lib/reports/inventory'
import { AUDIT_COLUMNS } from '@/lib/reports/audit-log'
import { PACK_STEPS } from '@/lib/reports/evidence-pack'
import { exportDir, exportFile } from '@/lib/reports/export-files'
import { downloadExport, listMyExports, startExport } from '@/lib/reports/exports'
import { PACK_PDF_FAILED, PDF_EXPORT_FAILED } from '@/lib/reports/jobs'
import { addIdentity, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000
const today = new Date().toISOString().slice(0, 10)
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10)
type Org = Awaited<ReturnType<typeof createOrg>>
const FORMULA = '=HYPERLINK("http://evil.example","open")'
const JUSTIFY_FORMULA = "=cmd|' /C calc'!A0 no longer used"

const text = (s: ReadableStream<Uint8Array>) => new Response(s).text()
const bytes = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer())
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

/** Splits the sectioned evidence CSV into its sections by their "# title" rows. */
function sections(csv: string): Record<string, string[][]> {
  const records = parse(csv, { relax_column_count: true, skip_empty_lines: true }) as string[][]
  const out: Record<string, string[][]> = {}
  let current = ''
  for (const r of records) {
    if (r.length === 1 && r[0].startsWith('# ')) {
      current = r[0].slice(2).split(/[ (:]/)[0]
      out[current] = []
    } else out[current].push(r)
  }
  return out
}

async function lastDownloads(orgId: string) {
  return db.auditEvent.findMany({ where: { orgId, action: 'report.download' }, orderBy: { seq: 'asc' } })
}

describe(`reports (${engine})`, () => {
  let a: Org
  let b: Org
  let campaignId: string
  let otherCampaignId: string
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    a = await createOrg('Alpha')
    b = await createOrg('Beta')
    const m = a.people.member.id
    ids.owned1 = (await addIdentity(a.org.id, a.source.id, { name: 'x-owned-1', ownerId: m, privileged: true })).id
    ids.owned2 = (await addIdentity(a.org.id, a.source.id, { name: 'x-owned-2', ownerId: m })).id
    ids.formula = (await addIdentity(a.org.id, a.source.id, { name: FORMULA, ownerId: m, kind: 'bot' })).id
    ids.backup = (await addIdentity(a.org.id, a.source.id, { name: 'x-backup' })).id
    await db.identity.update({ where: { id: ids.backup }, data: { backupOwnerId: a.people.governance.id } })
    ids.unowned = (await addIdentity(a.org.id, a.source.id, { name: 'x-unowned', lastUsedDaysAgo: 300 })).id
    // Inventory detail: an expiring credential, an open finding, a grant.
    await db.credential.create({
      data: {
        orgId: a.org.id,
        identityId: ids.owned1,
        kind: 'access_key',
        fingerprint: uid('fp'),
        createdAt: new Date(Date.now() - 100 * DAY),
        expiresAt: new Date('2099-01-01T00:00:00Z'),
      },
    })
    await db.finding.create({
      data: { orgId: a.org.id, identityId: ids.owned1, rule: 'unrotated-secret', owaspCode: 'NHI7', severity: 'high', title: 'Old secret' },
    })
    const res = await db.resource.create({ data: { orgId: a.org.id, sourceId: a.source.id, externalId: uid('r'), name: '@bucket', type: 's3_bucket' } })
    const ent = await db.entitlement.create({
      data: { orgId: a.org.id, sourceId: a.source.id, resourceId: res.id, externalId: uid('e'), name: 's3:*', privileged: true },
    })
    await db.grant.create({
      data: { orgId: a.org.id, identityId: ids.owned1, entitlementId: ent.id, privileged: true, createdAt: new Date(Date.now() - 50 * DAY) },
    })

    const created = await createCampaign(
      a.ctx('governance'),
      campaignInputSchema.parse({
        orgSlug: a.org.slug,
        name: 'Q1 NHI review',
        type: 'identity',
        scope: {},
        fallbackReviewerId: a.people.governance.id,
        dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
        defaultDecision: 'open',
        justificationRule: 'revoke',
        launch: true,
      }),
    )
    await drainJobs()
    campaignId = created.campaign.id
    const items = await db.reviewItem.findMany({ where: { campaignId } })
    const item = (identityId: string) => items.find((i) => i.identityId === identityId)!
    const member = a.ctx('member')
    const gov = a.ctx('governance')
    await decideItem(member, { orgSlug: a.org.slug, itemId: item(ids.owned1).id, version: 0, decision: 'keep', justification: 'still needed' })
    await decideItem(member, { orgSlug: a.org.slug, itemId: item(ids.formula).id, version: 0, decision: 'revoke', justification: JUSTIFY_FORMULA })
    await reassignItems(member, { orgSlug: a.org.slug, ids: [item(ids.owned2).id], toUserId: a.people.governance.id, reason: 'Platform team owns it now' })
    await decideItem(gov, { orgSlug: a.org.slug, itemId: item(ids.owned2).id, version: 1, decision: 'keep', justification: null })
    await decideItem(gov, { orgSlug: a.org.slug, itemId: item(ids.backup).id, version: 0, decision: 'revoke', justification: 'nobody uses it' })
    await requestClose(gov, campaignId)
    await drainJobs()
    // The revokes were applied 100 s and 300 s after their decisions (the source's answer, set here to known times).
    for (const [identityId, seconds] of [
      [ids.formula, 100],
      [ids.backup, 300],
    ] as const) {
      const it = await db.reviewItem.findFirstOrThrow({ where: { campaignId, identityId } })
      await db.remediation.deleteMany({ where: { reviewItemId: it.id } })
      await db.remediation.create({
        data: {
          orgId: a.org.id,
          identityId,
          kind: 'disable_identity',
          status: 'applied',
          justification: 'review',
          reviewItemId: it.id,
          jobId: `job-${seconds}`,
          completedAt: new Date(it.decidedAt!.getTime() + seconds * 1000),
        },
      })
      await db.reviewItem.update({ where: { id: it.id }, data: { remediationStatus: 'applied' } })
    }
    await addIdentity(b.org.id, b.source.id, { name: 'beta-one', ownerId: b.people.member.id })
    const other = await createCampaign(
      b.ctx('governance'),
      campaignInputSchema.parse({
        orgSlug: b.org.slug,
        name: 'Beta review',
        type: 'identity',
        scope: {},
        fallbackReviewerId: b.people.governance.id,
        dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
        launch: true,
      }),
    )
    await drainJobs()
    otherCampaignId = other.campaign.id
  })

  it('evidence CSV: every item matches its decision column by column, with the figures and an audit row', async () => {
    const d = await downloadCampaignEvidence(a.ctx('auditor'), campaignId, 'csv')
    expect(d.contentType).toMatch(/text\/csv/)
    const s = sections(await text(d.body))
    const def = Object.fromEntries(s['Campaign'].slice(1))
    expect(def).toMatchObject({ campaign_id: campaignId, campaign: 'Q1 NHI review', status: 'closed', default_decision: 'open', population_count: '5' })
    expect(def.generated_by).toBe(`${a.people.auditor.name} <${a.people.auditor.email}>`)

    const [header, ...rows] = s['Items']
    expect(header).toEqual([...ITEM_COLUMNS])
    const items = await db.reviewItem.findMany({ where: { campaignId }, orderBy: { id: 'asc' } })
    expect(rows.map((r) => r[0])).toEqual(items.map((i) => i.id).sort())
    const byIdentity = Object.fromEntries(rows.map((r) => [r[1], Object.fromEntries(header.map((h, i) => [h, r[i]]))]))
    const m = a.people.member.name
    const g = a.people.governance.name
    for (const it of items) {
      const row = byIdentity[it.identityId]
      expect(row.item_id).toBe(it.id)
      expect(row.recommendation).toBe(it.recommendation ?? '')
      expect(row.recommendation_reason).toBe(it.recommendationReason ?? '')
      expect(row.decided_at).toBe(it.decidedAt ? it.decidedAt.toISOString() : '')
      expect(row.source).toBe('AWS test')
      expect(row.stage).toBe('1')
    }
    const pick = (id: string, cols: (typeof ITEM_COLUMNS)[number][]) => cols.map((c) => byIdentity[id][c])
    const cols = [
      'identity',
      'kind',
      'privileged',
      'owner_at_launch',
      'reviewer',
      'decision',
      'decided_by',
      'justification',
      'delegated_or_escalated_from',
      'remediation_jobs',
      'remediation_status',
    ] as const
    expect(pick(ids.owned1, [...cols])).toEqual(['x-owned-1', 'service_account', 'true', m, m, 'keep', m, 'still needed', '', '', 'none'])
    expect(pick(ids.owned2, [...cols])).toEqual(['x-owned-2', 'service_account', 'false', m, g, 'keep', g, '', `delegated from ${m}`, '', 'none'])
    expect(pick(ids.formula, [...cols])).toEqual([`'${FORMULA}`, 'bot', 'false', m, m, 'revoke', m, `'${JUSTIFY_FORMULA}`, '', 'job-100', 'applied'])
    expect(pick(ids.backup, [...cols])).toEqual(['x-backup', 'service_account', 'false', '', g, 'revoke', g, 'nobody uses it', '', 'job-300', 'applied'])
    expect(pick(ids.unowned, [...cols])).toEqual(['x-unowned', 'service_account', 'false', '', g, '', '', '', '', '', 'none'])
    const formulaItem = items.find((i) => i.identityId === ids.formula)!
    expect(byIdentity[ids.formula].remediation_completed_at).toBe(new Date(formulaItem.decidedAt!.getTime() + 100_000).toISOString())

    // population hash recomputed from the item rows, as docs/verify-evidence.md describes
    const canonical = items.map((i) => `${i.id},${i.identityId},${i.grantId ?? ''},${i.credentialId ?? ''}\n`).join('')
    expect(def.population_sha256).toBe(sha256(canonical))

    const [ch, cv] = s['Completeness']
    expect(Object.fromEntries(ch.map((h, i) => [h, cv[i]]))).toEqual({
      population: '5',
      decided: '4',
      decided_by_default: '0',
      open: '0',
      excluded: '1',
      items_at_launch: '5',
      adds_up: 'yes',
    })
    expect(s['Decisions']).toEqual([
      ['keep', 'revoke', 'reduce', 'unsure'],
      ['2', '2', '0', '0'],
    ])
    // The member decided two identities they own; the delegated one was decided by governance.
    const [sh, ...exceptions] = s['Separation']
    expect(sh).toEqual(['item_id', 'identity', 'owner_at_launch', 'decided_by', 'decision', 'stage'])
    expect(exceptions.map((e) => [e[1], e[2], e[3], e[4]]).sort()).toEqual([
      [`'${FORMULA}`, m, m, 'revoke'],
      ['x-owned-1', m, m, 'keep'],
    ])
    const [rh, rv] = s['Revoke']
    const revokes = Object.fromEntries(rh.map((h, i) => [h, rv[i]]))
    expect(revokes).toMatchObject({
      revokes: '2',
      applied: '2',
      median_seconds: '200',
      p95_seconds: '300',
      slowest_seconds: '300',
      slowest_identity: 'x-backup',
    })

    const [row] = (await lastDownloads(a.org.id)).slice(-1)
    expect(row).toMatchObject({ actorId: a.people.auditor.id, targetType: 'campaign', targetId: campaignId, outcome: 'success' })
    expect(JSON.parse(row.details)).toMatchObject({
      report: 'campaign-evidence',
      format: 'csv',
      campaignId,
      population: 5,
      populationSha256: sha256(canonical),
    })
  })

  it('refuses unknown, foreign and unlaunched campaigns, and people without report:export', async () => {
    const before = (await lastDownloads(a.org.id)).length
    await expect(downloadCampaignEvidence(a.ctx('auditor'), otherCampaignId, 'csv')).rejects.toBeInstanceOf(NotFoundError)
    await expect(downloadEvidencePack(a.ctx('admin'), otherCampaignId)).rejects.toBeInstanceOf(NotFoundError)
    await expect(downloadCampaignEvidence(a.ctx('auditor'), 'nope', 'pdf')).rejects.toBeInstanceOf(NotFoundError)
    const draft = await createCampaign(
      a.ctx('governance'),
      campaignInputSchema.parse({
        orgSlug: a.org.slug,
        name: 'Draft',
        type: 'identity',
        scope: {},
        fallbackReviewerId: a.people.governance.id,
        dueAt: new Date(Date.now() + 14 * DAY).toISOString(),
      }),
    )
    await expect(downloadCampaignEvidence(a.ctx('auditor'), draft.campaign.id, 'csv')).rejects.toBeInstanceOf(ConflictError)
    await expect(downloadInventory(a.ctx('member'))).rejects.toBeInstanceOf(ForbiddenError)
    await expect(downloadCampaignEvidence(a.ctx('member'), campaignId, 'csv')).rejects.toBeInstanceOf(ForbiddenError)
    expect((await lastDownloads(a.org.id)).length).toBe(before)
  })

  it('renders a readable PDF (first page as PNG), and a failed render fails the download', async () => {
    const d = await downloadCampaignEvidence(a.ctx('auditor'), campaignId, 'pdf')
    expect(d.contentType).toBe('application/pdf')
    const pdf = await bytes(d.body)
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.length).toBe(d.size)
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF/)
    const dir = mkdtempSync(join(tmpdir(), 'pdf-'))
    writeFileSync(join(dir, 'e.pdf'), pdf)
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', join(dir, 'e.pdf'), join(dir, 'page')])
    const png = readdirSync(dir).find((f) => f.endsWith('.png'))!
    expect(png).toBeTruthy()
    const image = readFileSync(join(dir, png))
    expect(image.subarray(1, 4).toString()).toBe('PNG')
    // A blank A4 page at 60 dpi compresses to ~1 KB; the cover with its text and tables is many times that.
    expect(image.length).toBeGreaterThan(15_000)
    mkdirSync('.tmp', { recursive: true })
    copyFileSync(join(dir, png), `.tmp/evidence-page1-${engine}.png`)
    copyFileSync(join(dir, 'e.pdf'), `.tmp/evidence-${engine}.pdf`)
    const pages = execFileSync('pdfinfo', [join(dir, 'e.pdf')]).toString()
    expect(Number(/Pages:\s+(\d+)/.exec(pages)?.[1])).toBeGreaterThanOrEqual(2)

    const before = (await lastDownloads(a.org.id)).length
    const real = pdfRenderer.render
    pdfRenderer.render = async () => {
      throw new Error('font file missing')
    }
    try {
      const err = await downloadCampaignEvidence(a.ctx('auditor'), campaignId, 'pdf').catch((e) => e)
      expect(err).toBeInstanceOf(AppError)
      expect(err.status).toBe(500)
      expect(err.message).toMatch(/PDF could not be made, so nothing was downloaded/)
      await expect(downloadEvidencePack(a.ctx('auditor'), campaignId)).rejects.toThrow(/PDF could not be made/)
    } finally {
      pdfRenderer.render = real
    }
    expect((await lastDownloads(a.org.id)).length).toBe(before)
  })

  it('inventory and access CSVs: the whole organization, formulas neutralised, audited', async () => {
    // Several findings: codes distinct and rules sorted in byte order by the database, on both engines (a hyphen before a
    // letter, whatever the database's collation); a resolved finding is not counted.
    for (const [rule, owaspCode, status] of [
      ['unusedb', 'NHI5', 'open'],
      ['unowned', 'NHI1', 'open'],
      ['unused-cred', 'NHI1', 'open'],
      ['admin-grant', 'NHI5', 'open'],
      ['old-secret', 'NHI7', 'resolved'],
    ])
      await db.finding.create({ data: { orgId: a.org.id, identityId: ids.owned2, rule, owaspCode, status, severity: 'low', title: rule } })
    const inv = parse(await text((await downloadInventory(a.ctx('auditor'))).body)) as string[][]
    expect(inv[0]).toEqual([...INVENTORY_COLUMNS])
    const rows = inv.slice(1).map((r) => Object.fromEntries(inv[0].map((h, i) => [h, r[i]])))
    expect(rows.map((r) => r.identity_id).sort()).toEqual(Object.values(ids).sort())
    expect(rows.find((r) => r.identity_id === ids.formula)!.name).toBe(`'${FORMULA}`)
    expect(rows.some((r) => /^[=+\-@\t\r]/.test(Object.values(r).join('')))).toBe(false)
    const owned = rows.find((r) => r.identity_id === ids.owned1)!
    expect(owned).toMatchObject({
      owner: a.people.member.name,
      owner_email: a.people.member.email,
      privileged: 'true',
      active_credentials: '1',
      oldest_credential_age_days: '100',
      next_credential_expiry: '2099-01-01T00:00:00.000Z',
      open_findings: '1',
      owasp_codes: 'NHI7',
    })
    expect(rows.find((r) => r.identity_id === ids.backup)!.backup_owner_email).toBe(a.people.governance.email)
    expect(rows.find((r) => r.identity_id === ids.owned2)).toMatchObject({
      open_findings: '4',
      owasp_codes: 'NHI1 NHI5',
      finding_rules: 'admin-grant unowned unused-cred unusedb',
    })
    expect(rows.find((r) => r.identity_id === ids.unowned)).toMatchObject({ open_findings: '0', owasp_codes: '', finding_rules: '' })

    const acc = parse(await text((await downloadAccess(a.ctx('governance'))).body)) as string[][]
    expect(acc[0]).toEqual([...ACCESS_COLUMNS])
    expect(acc).toHaveLength(2)
    expect(acc[1].slice(1, 3)).toEqual([ids.owned1, 'x-owned-1'])
    expect(acc[1][6]).toBe('s3:*')
    expect(acc[1][7]).toBe("'@bucket")
    // Times are UTC whatever the process's time zone (PostgreSQL's timestamps are read as text and taken as UTC).
    const grant = await db.grant.findUniqueOrThrow({ where: { id: acc[1][0] } })
    expect(acc[1][10]).toBe(grant.createdAt.toISOString())
    const withUse = await db.identity.findFirstOrThrow({ where: { orgId: a.org.id, lastUsedAt: { not: null } } })
    expect(rows.find((r) => r.identity_id === withUse.id)!.last_used_at).toBe(withUse.lastUsedAt!.toISOString())
    const audits = (await lastDownloads(a.org.id)).slice(-2).map((e) => JSON.parse(e.details).report)
    expect(audits).toEqual(['inventory', 'access'])

    // Pages of one or two identities (most without a grant) give the same files as one page.
    const all = async (src: AsyncIterable<string | Uint8Array>) => {
      let out = ''
      for await (const chunk of src) out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      return out
    }
    const now = new Date()
    expect(await all(accessCsv(a.ctx('auditor'), { pageSize: 1 }))).toBe(await all(accessCsv(a.ctx('auditor'))))
    expect(await all(inventoryCsv(a.ctx('auditor'), { now, pageSize: 2 }))).toBe(await all(inventoryCsv(a.ctx('auditor'), { now })))

    // Names are looked up once per export, the first time a page refers to them: an owner (not a member of the
    // organization) and a team given to the last identity after the export has begun are named in its row.
    const last = (await db.identity.findFirstOrThrow({ where: { orgId: a.org.id }, orderBy: { id: 'desc' } })).id
    const stranger = await db.user.create({ data: { email: `stranger-${a.org.slug}@test.example`, name: 'Late, "Owner"' } })
    let lines = ''
    let chunks = 0
    for await (const chunk of inventoryCsv(a.ctx('auditor'), { now, pageSize: 1 })) {
      lines += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      if (++chunks === 2) {
        const team = await db.team.create({ data: { orgId: a.org.id, slug: 'late-team', name: '=late team' } })
        await db.identity.update({ where: { id: last }, data: { ownerId: stranger.id, teamId: team.id } })
      }
    }
    const late = (parse(lines) as string[][]).find((r) => r[0] === last)!
    expect([late[8], late[9], late[12]]).toEqual(['Late, "Owner"', stranger.email, "'=late team"])
  })

  it('audit log as CSV and JSON Lines with chain fields that recompute; bad ranges get a clear message', async () => {
    const jsonl = await text((await downloadAuditLog(a.ctx('auditor'), { from: yesterday, to: today }, 'jsonl')).body)
    const events = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(events.length).toBeGreaterThan(10)
    expect(events.every((e) => e.orgId === a.org.id)).toBe(true)
    for (let i = 0; i < events.length; i++) {
      const e = events[i]
      expect(auditHash(e.prevHash, { ...e, at: new Date(e.at) })).toBe(e.hash)
      if (i) expect(e.prevHash).toBe(events[i - 1].hash)
    }
    // the log stops where the chain stood when the download began: its own audit row comes after
    const own = (await lastDownloads(a.org.id)).at(-1)!
    expect(events.at(-1).seq).toBe(own.seq - 1)
    const csv = parse(await text((await downloadAuditLog(a.ctx('auditor'), { from: yesterday, to: today }, 'csv')).body)) as string[][]
    expect(csv[0]).toEqual([...AUDIT_COLUMNS])
    expect(csv.slice(1, events.length + 1).map((r) => r[13])).toEqual(events.map((e) => e.hash))

    await expect(downloadAuditLog(a.ctx('auditor'), { from: today, to: yesterday }, 'csv')).rejects.toThrow(/start date is after the end date/)
    await expect(downloadAuditLog(a.ctx('auditor'), { from: '2020-01-01', to: today }, 'csv')).rejects.toThrow(/at most 366 days/)
    await expect(downloadAuditLog(a.ctx('auditor'), { from: 'last week', to: today }, 'csv')).rejects.toBeInstanceOf(ValidationError)
    await expect(downloadEvidencePack(a.ctx('auditor'), campaignId, { from: today, to: yesterday })).rejects.toThrow(/start date is after/)
  })

  it('evidence pack verifies offline with openssl, sha256sum and the node script, and fails after one changed byte', async () => {
    const checkpoint = (await createCheckpoint(a.ctx('admin')))!
    const d = await downloadEvidencePack(a.ctx('auditor'), campaignId)
    expect(d.contentType).toBe('application/zip')
    const zip = await bytes(d.body)
    const dir = mkdtempSync(join(tmpdir(), 'pack-'))
    writeFileSync(join(dir, 'pack.zip'), zip)
    execFileSync('unzip', ['-q', 'pack.zip'], { cwd: dir })
    const folder = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('custodian-evidence-'))!,
    )
    expect(readdirSync(folder).sort()).toEqual(
      [
        'SHA256SUMS',
        'access.csv',
        'audit-checkpoints.json',
        'audit-log.csv',
        'audit-log.jsonl',
        'campaign-evidence.csv',
        'campaign-evidence.pdf',
        'inventory.csv',
        'manifest.json',
        'manifest.sig',
        'public-key.pem',
      ].sort(),
    )
    const manifestBytes = readFileSync(join(folder, 'manifest.json'))
    const manifest = JSON.parse(manifestBytes.toString())
    expect(manifest.organization).toEqual({ id: a.org.id, slug: a.org.slug, name: a.org.name })
    expect(manifest.campaign.id).toBe(campaignId)
    for (const f of manifest.files) expect(statSync(join(folder, f.name)).size).toBe(f.size)
    const head = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, seq: manifest.auditChainHead.seq } })
    expect(head.hash).toBe(manifest.auditChainHead.hash)
    const row = (await lastDownloads(a.org.id)).at(-1)!
    expect(row.seq).toBeGreaterThan(manifest.auditChainHead.seq)
    expect(JSON.parse(row.details)).toMatchObject({ report: 'evidence-pack', campaignId, manifestSha256: sha256(manifestBytes) })
    const key = await db.orgKey.findFirstOrThrow({ where: { orgId: a.org.id } })
    expect(readFileSync(join(folder, 'public-key.pem'), 'utf8')).toBe(key.publicKey)
    // The signed checkpoints travel in the pack, each checkable with openssl against the same key.
    const checkpoints = JSON.parse(readFileSync(join(folder, 'audit-checkpoints.json'), 'utf8'))
    const cp = checkpoints.find((c: { seq: number }) => c.seq === checkpoint.seq)
    expect(cp).toMatchObject({ headHash: checkpoint.headHash, keyId: key.kid, signatureBase64: checkpoint.signature })
    expect(cp.seq).toBeLessThanOrEqual(manifest.auditChainHead.seq)
    writeFileSync(join(dir, 'cp.txt'), cp.statement)
    writeFileSync(join(dir, 'cp.sig'), Buffer.from(cp.signatureBase64, 'base64'))
    const cpCheck = spawnSync(
      'openssl',
      ['pkeyutl', '-verify', '-pubin', '-inkey', join(folder, 'public-key.pem'), '-rawin', '-in', join(dir, 'cp.txt'), '-sigfile', join(dir, 'cp.sig')],
      { encoding: 'utf8' },
    )
    expect(cpCheck.stdout + cpCheck.stderr).toMatch(/Signature Verified Successfully/)

    // The documented commands (docs/verify-evidence.md), run by a shell as an auditor would.
    const documented = [
      'openssl pkey -pubin -in public-key.pem -outform DER | sha256sum | cut -c1-16',
      'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig',
      'grep -q "\\"sha256\\": \\"$(sha256sum SHA256SUMS | cut -d\' \' -f1)\\"" manifest.json && sha256sum -c SHA256SUMS',
    ]
    const sh = (cmd: string) => spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: folder, encoding: 'utf8' })
    expect(sh(documented[0]).stdout.trim()).toBe(key.kid)
    const sig = sh(documented[1])
    expect(sig.status, sig.stderr).toBe(0)
    expect(sig.stdout).toMatch(/Signature Verified Successfully/)
    const sums = sh(documented[2])
    expect(sums.status, sums.stderr).toBe(0)
    const node = (dirArg: string) => spawnSync('node', ['scripts/verify-evidence.mjs', dirArg, key.kid], { encoding: 'utf8' })
    const ok = node(folder)
    expect(ok.status, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/Pack verified/)

    // One byte of one file changes: the file checks fail (the signature over the manifest still holds).
    const inv = join(folder, 'inventory.csv')
    const original = readFileSync(inv)
    const changed = Buffer.from(original)
    changed[changed.length - 2] ^= 1
    writeFileSync(inv, changed)
    expect(sh(documented[2]).status).not.toBe(0)
    const bad = node(folder)
    expect(bad.status).toBe(1)
    expect(bad.stdout).toMatch(/FAIL inventory\.csv/)
    writeFileSync(inv, original)
    expect(node(folder).status).toBe(0)
    // ...and a changed manifest breaks the signature.
    const edited = Buffer.from(manifestBytes)
    edited[10] ^= 1
    writeFileSync(join(folder, 'manifest.json'), edited)
    expect(sh(documented[1]).status).not.toBe(0)
    writeFileSync(join(folder, 'manifest.json'), Buffer.from(manifestBytes.toString().replace(manifest.files[0].sha256, '0'.repeat(64))))
    expect(node(folder).status).toBe(1)
  })

  it('evidence pack as a background export: the worker writes a ZIP that verifies offline, its download is audited with the manifest hash', async () => {
    const { id } = await startExport(a.ctx('auditor'), { kind: 'evidence-pack', campaign: campaignId })
    const queued = await db.reportExport.findUniqueOrThrow({ where: { id } })
    expect(queued).toMatchObject({ status: 'queued', format: 'zip', kind: 'evidence-pack' })
    expect(queued.filename).toMatch(/^custodian-evidence-.*\.zip$/)
    expect(JSON.parse(queued.params)).toMatchObject({ kind: 'evidence-pack', campaignId, to: today })
    await drainJobs()
    const e = await db.reportExport.findUniqueOrThrow({ where: { id } })
    expect(e.status, e.error ?? '').toBe('ready')
    const file = readFileSync(exportFile(e))
    expect(file.length).toBe(e.bytes)
    expect(sha256(file)).toBe(e.sha256)
    const job = await db.job.findUniqueOrThrow({ where: { id: e.jobId! } })
    expect(job.status).toBe('succeeded')
    expect(job.progress).toBe(job.total)
    expect(job.total).toBe(PACK_STEPS)
    expect(e.rows).toBeGreaterThan(0)
    const detail = JSON.parse(e.detail!)

    const d = await downloadExport(a.ctx('auditor'), id)
    expect(d.contentType).toBe('application/zip')
    const dir = mkdtempSync(join(tmpdir(), 'pack-job-'))
    writeFileSync(join(dir, 'pack.zip'), await bytes(d.body))
    execFileSync('unzip', ['-q', 'pack.zip'], { cwd: dir })
    const folder = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('custodian-evidence-'))!,
    )
    const manifestBytes = readFileSync(join(folder, 'manifest.json'))
    const manifest = JSON.parse(manifestBytes.toString())
    expect(sha256(manifestBytes)).toBe(detail.manifestSha256)
    // Made by the worker for the auditor who asked; the chain head is the one at generation, after the export's own row.
    expect(manifest.generatedBy).toMatchObject({ id: a.people.auditor.id, email: a.people.auditor.email })
    expect(manifest.campaign.id).toBe(campaignId)
    const started = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'report.export', targetId: id } })
    expect(manifest.auditChainHead.seq).toBeGreaterThanOrEqual(started.seq)
    expect(detail.auditChainSeq).toBe(manifest.auditChainHead.seq)
    const head = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, seq: manifest.auditChainHead.seq } })
    expect(head.hash).toBe(manifest.auditChainHead.hash)
    const key = await db.orgKey.findFirstOrThrow({ where: { orgId: a.org.id } })
    const documented = [
      'openssl pkey -pubin -in public-key.pem -outform DER | sha256sum | cut -c1-16',
      'openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig',
      'grep -q "\\"sha256\\": \\"$(sha256sum SHA256SUMS | cut -d\' \' -f1)\\"" manifest.json && sha256sum -c SHA256SUMS',
    ]
    const sh = (cmd: string) => spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: folder, encoding: 'utf8' })
    expect(sh(documented[0]).stdout.trim()).toBe(key.kid)
    expect(sh(documented[1]).stdout).toMatch(/Signature Verified Successfully/)
    const sums = sh(documented[2])
    expect(sums.status, sums.stderr).toBe(0)
    const node = () => spawnSync('node', ['scripts/verify-evidence.mjs', folder, key.kid], { encoding: 'utf8' })
    const ok = node()
    expect(ok.status, ok.stdout + ok.stderr).toBe(0)
    // One byte of one file changes: the documented checks and the script fail.
    const evidence = join(folder, 'campaign-evidence.csv')
    const changed = readFileSync(evidence)
    changed[changed.length - 2] ^= 1
    writeFileSync(evidence, changed)
    expect(sh(documented[2]).status).not.toBe(0)
    expect(node().stdout).toMatch(/FAIL campaign-evidence\.csv/)

    const row = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'report.download', targetId: id } })
    expect(row.actorId).toBe(a.people.auditor.id)
    expect(JSON.parse(row.details ?? '{}')).toMatchObject({
      report: 'evidence-pack',
      format: 'zip',
      campaignId,
      sha256: e.sha256,
      manifestSha256: sha256(manifestBytes),
      kid: key.kid,
      auditChainSeq: manifest.auditChainHead.seq,
    })
    const listed = (await listMyExports(a.ctx('auditor'))).find((x) => x.id === id)!
    expect(listed).toMatchObject({ label: 'Evidence pack', status: 'ready', manifestSha256: sha256(manifestBytes), stage: null })

    // A pack asks audit:read of whoever starts it, and the same range checks as the direct download.
    await expect(startExport(a.ctx('member'), { kind: 'evidence-pack', campaign: campaignId })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(startExport(a.ctx('auditor'), { kind: 'evidence-pack', campaign: campaignId, from: today, to: yesterday })).rejects.toThrow(
      /start date is after/,
    )
    await expect(startExport(b.ctx('auditor'), { kind: 'evidence-pack', campaign: campaignId })).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a PDF export is written by the worker; a failed render leaves a failed export, no file, and a message', async () => {
    const pdf = await startExport(a.ctx('auditor'), { kind: 'campaign-evidence', campaign: campaignId, format: 'pdf' })
    await drainJobs()
    const e = await db.reportExport.findUniqueOrThrow({ where: { id: pdf.id } })
    expect(e.status, e.error ?? '').toBe('ready')
    expect(e.filename).toMatch(/\.pdf$/)
    const file = readFileSync(exportFile(e))
    expect(file.subarray(0, 5).toString()).toBe('%PDF-')
    expect(e.rows).toBe(e.expectedRows)
    expect((await downloadExport(a.ctx('auditor'), e.id)).contentType).toBe('application/pdf')

    const real = pdfRenderer.render
    pdfRenderer.render = async (...args) => {
      // a partial file, then the failure
      writeFileSync(args[4], '%PDF-1.3 half')
      throw new Error('font file missing')
    }
    try {
      const pack = await startExport(a.ctx('auditor'), { kind: 'evidence-pack', campaign: campaignId })
      const alone = await startExport(a.ctx('auditor'), { kind: 'campaign-evidence', campaign: campaignId, format: 'pdf' })
      await drainJobs()
      for (const [id, message] of [
        [pack.id, PACK_PDF_FAILED],
        [alone.id, PDF_EXPORT_FAILED],
      ] as const) {
        const f = await db.reportExport.findUniqueOrThrow({ where: { id } })
        expect(f).toMatchObject({ status: 'failed', error: message, path: null, sha256: null, bytes: null, detail: null })
        expect(existsSync(exportFile(f))).toBe(false)
        expect(readdirSync(exportDir()).filter((n) => n.startsWith(`${id}.`))).toEqual([])
        expect((await db.job.findUniqueOrThrow({ where: { id: f.jobId! } })).status).toBe('failed')
        await expect(downloadExport(a.ctx('auditor'), id)).rejects.toBeInstanceOf(NotFoundError)
        expect((await listMyExports(a.ctx('auditor'))).find((x) => x.id === id)).toMatchObject({ status: 'failed', error: message })
      }
    } finally {
      pdfRenderer.render = real
    }
  })
})

describe(`auditor role (${engine})`, () => {
  it('reads and downloads, and is refused every write', async () => {
    const o = await createOrg('Audited')
    const aud = o.ctx('auditor')
    const id = await addIdentity(o.org.id, o.source.id, { name: 'svc-a', ownerId: o.people.member.id })
    await expect(downloadInventory(aud)).resolves.toBeTruthy()
    const { PERMISSIONS, can } = await import('@/lib/auth/permissions')
    const reads = [
      'identity:read',
      'identity:read-all',
      'source:read',
      'campaign:read',
      'audit:read',
      'audit:verify',
      'report:export',
      'job:read',
      'lease:read',
    ]
    expect(PERMISSIONS.filter((p) => can('auditor', p)).sort()).toEqual(reads.sort())
    const { assignOwner } = await import('@/lib/ownership/mutations')
    const before = await db.auditEvent.count({ where: { orgId: o.org.id, outcome: 'success', NOT: { action: 'report.download' } } })
    await expect(
      createCampaign(
        aud,
        campaignInputSchema.parse({
          orgSlug: o.org.slug,
          name: 'Auditor attempt',
          type: 'identity',
          scope: {},
          fallbackReviewerId: o.people.governance.id,
          dueAt: new Date(Date.now() + DAY).toISOString(),
        }),
      ),
    ).rejects.toBeInstanceOf(ForbiddenError)
    await expect(assignOwner(aud, { identityIds: [id.id], fields: { ownerId: o.people.auditor.id } })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(reassignItems(aud, { orgSlug: o.org.slug, ids: ['x'], toUserId: o.people.member.id, reason: 'r' })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(decideItem(aud, { orgSlug: o.org.slug, itemId: 'x', version: 0, decision: 'keep', justification: null })).rejects.toBeInstanceOf(
      ForbiddenError,
    )
    expect(await db.auditEvent.count({ where: { orgId: o.org.id, outcome: 'success', NOT: { action: 'report.download' } } })).toBe(before)
    expect((await db.identity.findUniqueOrThrow({ where: { id: id.id } })).ownerId).toBe(o.people.member.id)
  })
})
