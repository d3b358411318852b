import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { prismaSql } from '@/lib/sql/prisma'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { drainJobs } from '@/lib/jobs/worker'
import { computeOrgMetrics } from '@/lib/metrics/compute'
import { getIdentityRemediations } from '@/lib/remediation/queries'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { importFileJob } from '@/lib/sources/jobs'
import { createImportSource, startImport, updateSourceEnvironment } from '@/lib/sources/mutations'
import type { ImportPreview } from '@/lib/sources/preview'
import { listSources } from '@/lib/sources/queries'
import { receiveUpload } from '@/lib/sources/receive'
import type { ImportFormat } from '@/lib/sources/schemas'
import { unsafeRemoveUpload } from '@/lib/sources/uploads'
import { addIdentity, createOrg, engine } from './fixtures'

const FIXTURES = path.resolve('tests/fixtures/imports')
const body = (name: string) => Readable.toWeb(fs.createReadStream(path.join(FIXTURES, name))) as ReadableStream<Uint8Array>
const streamOf = (chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>) => Readable.toWeb(Readable.from(chunks)) as ReadableStream<Uint8Array>

/** Uploads as the page does: the file is saved, the worker reads it for the preview; a refusal throws its message. */
async function upload(
  ctx: UserCtx,
  input: { format: ImportFormat; sourceId: string; name: string },
  file: ReadableStream<Uint8Array>,
  contentLength: number | null,
) {
  const up = await receiveUpload(ctx, input, file, contentLength)
  expect(fs.existsSync(path.resolve('data/imports', `${up.uploadId}.upload`))).toBe(true)
  await drainJobs()
  const job = await db.job.findUniqueOrThrow({ where: { id: up.jobId } })
  if (job.status !== 'succeeded') throw Object.assign(new Error(job.lastError ?? `preview ${job.status}`), { uploadId: up.uploadId })
  return { ...up, preview: (JSON.parse(job.result!) as { preview: ImportPreview }).preview }
}

const uploadsOnDisk = () => (fs.existsSync('data/imports') ? fs.readdirSync('data/imports').filter((f) => f.endsWith('.upload')).length : 0)

type Org = Awaited<ReturnType<typeof createOrg>>

async function importFixture(
  format: ImportFormat,
  file: string,
  opts: { allOrNothing?: boolean; mode?: 'full' | 'partial'; before?: (t: Org, sourceId: string) => Promise<void> } = {},
) {
  const t = await createOrg()
  const ctx = t.ctx('governance')
  const source = await createImportSource(ctx, { orgSlug: t.org.slug, name: `Import ${format}`, format })
  await opts.before?.(t, source.id)
  const up = await upload(ctx, { format, sourceId: source.id, name: file }, body(file), null)
  const job = await startImport(ctx, { orgSlug: t.org.slug, uploadId: up.uploadId, allOrNothing: opts.allOrNothing ?? false, mode: opts.mode ?? 'partial' })
  await drainJobs()
  const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
  const identities = await db.identity.findMany({
    where: { sourceId: source.id },
    orderBy: { externalId: 'asc' },
    include: { credentials: true, grants: { include: { entitlement: true } } },
  })
  return { ...t, as: t.ctx, ctx, source, up, job: done, result: done.result ? JSON.parse(done.result) : null, identities }
}

describe(`imports (${engine})`, () => {
  it('generic CSV: previews with line numbers, imports the good rows, reports the bad one, audits both steps', async () => {
    const { up, job, result, identities, org, people } = await importFixture('generic_csv', 'generic.csv')
    expect(up.preview.errors).toEqual([{ line: 10, message: expect.stringContaining('kind: "robot"') }])
    expect(up.preview.rows[0]).toMatchObject({ externalId: 'svc-billing-etl', name: 'billing-etl', kind: 'service_account' })
    expect(up.preview.identities).toBe(9)
    expect(job.status).toBe('succeeded')
    expect(result).toMatchObject({ added: 9, errors: 1, errorSamples: [{ line: 10 }] })
    expect(identities.map((i) => i.externalId)).not.toContain('svc-broken')
    const billing = identities.find((i) => i.externalId === 'svc-billing-etl')!
    expect(billing).toMatchObject({ privileged: true, grantCount: 2, credentialCount: 1 })
    const legacy = identities.find((i) => i.externalId === 'gh-deploy-legacy')!
    expect(legacy.name).toBe('deploy-bot, legacy')
    expect(await db.identityTag.findFirst({ where: { identityId: legacy.id, key: 'note' } })).toMatchObject({ value: 'migrated from "old" Jenkins' })
    const actions = (await db.auditEvent.findMany({ where: { orgId: org.id }, orderBy: { seq: 'asc' } })).map((a) => [a.action, a.actorId])
    expect(actions).toEqual([
      ['source.create', people.governance.id],
      ['source.import', people.governance.id],
      ['source.sync-batch', people.governance.id],
      ['source.sync', people.governance.id],
    ])
    expect(fs.existsSync(path.resolve('data/imports', `${up.uploadId}.upload`))).toBe(false)
  })

  it('generic CSV, all-or-nothing: the bad row stops the import and nothing changes', async () => {
    const { job, identities, source } = await importFixture('generic_csv', 'generic.csv', { allOrNothing: true })
    expect(job.status).toBe('failed')
    expect(job.lastError).toMatch(/1 row could not be read \(line 10\); nothing was imported/)
    expect(identities).toHaveLength(0)
    expect(await db.source.findUniqueOrThrow({ where: { id: source.id } })).toMatchObject({ lastSyncStatus: 'failed' })
  })

  it('all-or-nothing with a clean file imports everything in one transaction, with progress', async () => {
    const t = await createOrg()
    const ctx = t.ctx('admin')
    const source = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'clean', format: 'generic_csv' })
    const csv = fs
      .readFileSync(path.join(FIXTURES, 'generic.csv'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('broken-row'))
      .join('\n')
    const up = await upload(
      ctx,
      { format: 'generic_csv', sourceId: source.id, name: 'clean.csv' },
      Readable.toWeb(Readable.from([csv])) as ReadableStream<Uint8Array>,
      null,
    )
    expect(up.preview.errorCount).toBe(0)
    const job = await startImport(ctx, { orgSlug: t.org.slug, uploadId: up.uploadId, allOrNothing: true, mode: 'full' })
    await drainJobs()
    const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
    expect({ status: done.status, progress: done.progress }).toEqual({ status: 'succeeded', progress: 10 + 9 + 8 })
    expect(JSON.parse(done.result!)).toMatchObject({ added: 9, errors: 0 })
    expect(await db.job.count({ where: { orgId: t.org.id, type: 'recompute_findings' } })).toBe(1)
  })

  it('generic JSON', async () => {
    const { result, identities } = await importFixture('generic_json', 'generic.json')
    expect(result).toMatchObject({ added: 2, errors: 1, errorSamples: [{ line: 3, ref: 'record 3' }] })
    expect(identities.find((i) => i.externalId === 'svc-tfc')).toMatchObject({ privileged: true, kind: 'ci_cd' })
  })

  it('AWS IAM credential report', async () => {
    const { result, identities, up } = await importFixture('aws_credential_report', 'aws-credential-report.csv')
    expect(result).toMatchObject({ added: 5, errors: 1, errorSamples: [{ line: 8, message: expect.stringContaining('user_creation_time') }] })
    const byName = Object.fromEntries(identities.map((i) => [i.name, i]))
    expect(byName['root (123456789012)']).toMatchObject({ kind: 'other', credentialCount: 0 })
    // A console user with MFA and no keys is a person: left out, and the preview and the result say so.
    expect(byName['alice.ops']).toBeUndefined()
    expect(up.preview).toMatchObject({ skipped: 1, skippedSamples: [{ line: 6, name: 'alice.ops', reason: expect.stringContaining('a person') }] })
    expect(result).toMatchObject({ skipped: 1, skippedSamples: [{ line: 6, name: 'alice.ops' }] })
    expect(byName['svc-backup']).toMatchObject({ kind: 'service_account', credentialCount: 2 })
    expect(byName['svc-backup'].lastUsedAt?.toISOString()).toBe('2025-11-23T02:00:00.000Z')
    expect(byName['svc-backup'].oldestSecretAt?.toISOString()).toBe('2020-09-09T08:00:01.000Z')
    expect(byName['svc-datadog'].credentials.map((c) => c.status).sort()).toEqual(['active', 'inactive'])
    expect(byName['jenkins-legacy'].credentials.map((c) => c.kind).sort()).toEqual(['access_key', 'certificate'])
    expect(JSON.parse(byName['svc-terraform'].metadata)).toMatchObject({ accessKey1LastUsedService: 'iam', account: '123456789012' })
  })

  it('AWS root user: privileged, a critical finding, a high place in the risk order; never dormant for being unused', async () => {
    const { identities, org, ctx } = await importFixture('aws_credential_report', 'aws-credential-report.csv')
    const root = identities.find((i) => i.name === 'root (123456789012)')!
    const fresh = await db.identity.findUniqueOrThrow({ where: { id: root.id }, include: { findings: { where: { status: 'open' } } } })
    expect(fresh.privileged).toBe(true)
    expect(root.grants.map((g) => g.entitlement)).toEqual([expect.objectContaining({ externalId: 'root', privileged: true })])
    expect(fresh.findings.map((f) => [f.rule, f.severity, f.owaspCode]).sort()).toEqual([
      ['root-account', 'critical', 'NHI5'],
      ['unowned', 'critical', 'NHI1'],
    ])
    expect(fresh.riskScore).toBe(80)
    // First among the account's identities by risk (the inventory's default order).
    const list = await listIdentities(ctx, identityListSchema.parse({ source: root.sourceId }))
    expect(list.rows[0].id).toBe(root.id)
    expect(await db.identity.count({ where: { orgId: org.id, privileged: true } })).toBe(1)
  })

  it('Kubernetes kubectl JSON: service accounts, token secrets (never their data), roles and bindings', async () => {
    const { result, identities } = await importFixture('kubernetes', 'kubernetes.json')
    expect(result).toMatchObject({ added: 8 })
    expect(result.errorSamples).toEqual([expect.objectContaining({ message: expect.stringContaining('payments-prod/deleted-sa') })])
    const by = Object.fromEntries(identities.map((i) => [i.name, i]))
    expect(by['argocd/argocd-application-controller']).toMatchObject({ kind: 'workload', privileged: true, grantCount: 1 })
    expect(by['payments-prod/payments-api']).toMatchObject({ environment: 'production', privileged: false })
    expect(by['checkout-staging/checkout']).toMatchObject({ environment: 'staging', privileged: true })
    const token = by['ci/ci-deployer'].credentials[0]
    expect(token).toMatchObject({ kind: 'token', externalId: 'ci/ci-deployer-token' })
    expect(JSON.stringify(by['ci/ci-deployer'])).not.toMatch(/ZXlKaGJHY2|LS0tLS1CRUdJTi/)
    expect(by['payments-prod/ledger-worker'].grants[0].entitlement).toMatchObject({ name: 'Role/ledger-reader', privileged: false })
  })

  it('Kubernetes owner annotation: lands as the owner when the e-mail is a member; otherwise the preview and the result say why', async () => {
    const ada = await db.user.upsert({
      where: { email: 'ada@acme.example' },
      update: { active: true },
      create: { email: 'ada@acme.example', name: 'Ada Admin' },
    })
    const member = await importFixture('kubernetes', 'kubernetes.json', {
      before: async (t) => void (await db.membership.create({ data: { orgId: t.org.id, userId: ada.id, role: 'governance' } })),
    })
    expect(member.up.preview.rows.find((r) => r.externalId === 'payments-prod/payments-api')).toMatchObject({
      ownerEmail: 'ada@acme.example',
      ownerIsMember: true,
    })
    expect(member.up.preview.ownersUnmatched).toBe(0)
    expect(member.identities.find((i) => i.externalId === 'payments-prod/payments-api')).toMatchObject({ ownerId: ada.id, ownerOrigin: 'source' })
    expect(member.result.ownersUnmatched).toBe(0)

    const stranger = await importFixture('kubernetes', 'kubernetes.json')
    expect(stranger.up.preview.rows.find((r) => r.externalId === 'payments-prod/payments-api')).toMatchObject({
      ownerEmail: 'ada@acme.example',
      ownerIsMember: false,
    })
    expect(stranger.up.preview).toMatchObject({ ownersUnmatched: 1, ownersUnmatchedEmails: ['ada@acme.example'] })
    expect(stranger.identities.find((i) => i.externalId === 'payments-prod/payments-api')!.ownerId).toBeNull()
    expect(stranger.result).toMatchObject({ ownersUnmatched: 1, ownersUnmatchedSamples: ['ada@acme.example'] })
    // The person joins; importing the same file again applies the owner.
    await db.membership.create({ data: { orgId: stranger.org.id, userId: ada.id, role: 'member' } })
    const again = await upload(stranger.ctx, { format: 'kubernetes', sourceId: stranger.source.id, name: 'again.json' }, body('kubernetes.json'), null)
    expect(again.preview.ownersUnmatched).toBe(0)
    await startImport(stranger.ctx, { orgSlug: stranger.org.slug, uploadId: again.uploadId, allOrNothing: false, mode: 'partial' })
    await drainJobs()
    expect(await db.identity.findFirstOrThrow({ where: { sourceId: stranger.source.id, externalId: 'payments-prod/payments-api' } })).toMatchObject({
      ownerId: ada.id,
      ownerOrigin: 'source',
    })
  })

  it('unknown is not never: kubectl reports no usage, so nothing it imports is dormant or unused, anywhere', async () => {
    const { identities, org, ctx, source } = await importFixture('kubernetes', 'kubernetes.json')
    expect(identities.every((i) => !i.usageReported && i.lastUsedAt === null)).toBe(true)
    expect(identities.flatMap((i) => i.credentials).every((c) => !c.usageReported)).toBe(true)
    expect(identities.flatMap((i) => i.grants).every((g) => !g.usageReported)).toBe(true)
    // The service accounts are years old and some hold cluster-admin: with "never used" they would all be dormant.
    const findings = await db.finding.findMany({ where: { orgId: org.id, status: 'open' }, select: { rule: true } })
    expect(findings.length).toBeGreaterThan(0)
    expect(findings.filter((f) => ['dormant', 'unused-cred', 'unused-priv'].includes(f.rule))).toEqual([])
    expect((await computeOrgMetrics(prismaSql(), org.id, parseOrgSettings('{}'))).dormant).toBe(0)
    expect((await listIdentities(ctx, identityListSchema.parse({ source: source.id, dormant: 'yes' }))).total).toBe(0)
    // A later file that does report usage makes it known (the generic format's "never").
    const csv = await createImportSource(ctx, { orgSlug: org.slug, name: 'csv with usage', format: 'generic_csv' })
    const up = await upload(
      ctx,
      { format: 'generic_csv', sourceId: csv.id, name: 'u.csv' },
      streamOf(['name,external_id,created_at,last_used_at\nold-never,n1,2020-01-01,never\nold-unknown,n2,2020-01-01,\n']),
      null,
    )
    await startImport(ctx, { orgSlug: org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'partial' })
    await drainJobs()
    const rows = await db.identity.findMany({
      where: { sourceId: csv.id },
      orderBy: { externalId: 'asc' },
      include: { findings: { where: { status: 'open', rule: 'dormant' } } },
    })
    expect(rows.map((r) => [r.externalId, r.usageReported, r.findings.length])).toEqual([
      ['n1', true, 1],
      ['n2', false, 0],
    ])
  })

  it('a source environment: set by an admin or governance, applied to its identities still unknown and to later imports, audited', async () => {
    const { identities, org, ctx, as, source, people } = await importFixture('kubernetes', 'kubernetes.json')
    const envOf = async () => Object.fromEntries((await db.identity.findMany({ where: { sourceId: source.id } })).map((i) => [i.externalId, i.environment]))
    const before = await envOf()
    const unknown = identities.filter((i) => i.environment === 'unknown').map((i) => i.externalId)
    expect(unknown.length).toBeGreaterThan(0)
    expect((await listSources(ctx)).find((s) => s.id === source.id)).toMatchObject({ defaultEnvironment: null, unknownEnvironment: unknown.length })
    const other = await createOrg()
    await expect(updateSourceEnvironment(other.ctx('admin'), { orgSlug: other.org.slug, sourceId: source.id, environment: 'production' })).rejects.toThrow(
      /Source not found/,
    )
    for (const role of ['member', 'auditor'] as const) {
      await expect(updateSourceEnvironment(as(role), { orgSlug: org.slug, sourceId: source.id, environment: 'production' })).rejects.toThrow(/permission/)
    }
    expect(await envOf()).toEqual(before)

    await expect(updateSourceEnvironment(ctx, { orgSlug: org.slug, sourceId: source.id, environment: 'development' })).resolves.toEqual({
      updated: unknown.length,
    })
    const after = await envOf()
    for (const [ext, env] of Object.entries(before)) expect(after[ext]).toBe(env === 'unknown' ? 'development' : env)
    expect((await listSources(ctx)).find((s) => s.id === source.id)).toMatchObject({ defaultEnvironment: 'development', unknownEnvironment: 0 })
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: 'source.environment' } })
    expect(audit).toMatchObject({ actorId: people.governance.id, targetId: source.id })
    expect(JSON.parse(audit.details)).toEqual({ from: 'unknown', to: 'development', identitiesUpdated: unknown.length })

    // A later import gives what the file does not label the setting (and what it labels keeps its label).
    await updateSourceEnvironment(ctx, { orgSlug: org.slug, sourceId: source.id, environment: 'staging' })
    const up = await upload(ctx, { format: 'kubernetes', sourceId: source.id, name: 'again.json' }, body('kubernetes.json'), null)
    await startImport(ctx, { orgSlug: org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'partial' })
    await drainJobs()
    const third = await envOf()
    for (const [ext, env] of Object.entries(before)) expect(third[ext]).toBe(env === 'unknown' ? 'staging' : env)
    // Removing the setting keeps what it gave until the next import.
    await expect(updateSourceEnvironment(ctx, { orgSlug: org.slug, sourceId: source.id, environment: 'unknown' })).resolves.toEqual({ updated: 0 })
    expect(await envOf()).toEqual(third)
  })

  it('imported identities are never simulated: their source acts through manual tasks', async () => {
    for (const [format, file] of [
      ['kubernetes', 'kubernetes.json'],
      ['aws_credential_report', 'aws-credential-report.csv'],
    ] as const) {
      const { identities, ctx } = await importFixture(format, file)
      expect((await getIdentityRemediations(ctx, identities[0].id)).mode).toBe('manual')
    }
  })

  it('GitHub organization bundle: installations, deploy keys and fine-grained tokens', async () => {
    const { result, identities } = await importFixture('github', 'github-org.json')
    expect(result).toMatchObject({ added: 9, errors: 0 })
    const by = Object.fromEntries(identities.map((i) => [i.externalId, i]))
    expect(by['installation/31842']).toMatchObject({ name: 'Acme Release Bot', kind: 'oauth_app', privileged: true })
    expect(by['installation/40111']).toMatchObject({ status: 'disabled' })
    expect(by['deploy_key/acme/monolith/7001']).toMatchObject({ kind: 'ci_cd', privileged: true, credentialCount: 1 })
    expect(by['deploy_key/acme/monolith/7002']).toMatchObject({ privileged: false })
    expect(by['pat/25402']).toMatchObject({ kind: 'api_key', privileged: true, name: 'org-admin-automation (grace)' })
    expect(by['pat/25381'].credentials[0].expiresAt?.toISOString()).toBe('2026-01-10T12:00:00.000Z')
  })

  it('the wrong format is refused with a clear message; a member may not import; another org’s upload is not found', async () => {
    const t = await createOrg()
    const ctx = t.ctx('admin')
    const src = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'k8s', format: 'kubernetes' })
    await expect(upload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'x.json' }, body('not-kubectl.json'), null)).rejects.toThrow(
      /does not look like kubectl JSON output/,
    )
    await expect(upload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'x.csv' }, body('generic.csv'), null)).rejects.toThrow(/not valid JSON/)
    await expect(upload(ctx, { format: 'generic_csv', sourceId: src.id, name: 'x.csv' }, body('generic.csv'), null)).rejects.toThrow(/takes Kubernetes/)
    await expect(upload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'big.json' }, body('kubernetes.json'), 300 * 1024 ** 2)).rejects.toThrow(
      /larger than 50 MB/,
    )
    await expect(upload(t.ctx('member'), { format: 'kubernetes', sourceId: src.id, name: 'k.json' }, body('kubernetes.json'), null)).rejects.toThrow(
      /permission/,
    )
    const up = await upload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'k.json' }, body('kubernetes.json'), null)
    const other = await createOrg()
    await expect(startImport(other.ctx('admin'), { orgSlug: other.org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'partial' })).rejects.toThrow(
      /upload is gone/,
    )
    await expect(upload(other.ctx('admin'), { format: 'kubernetes', sourceId: src.id, name: 'k.json' }, body('kubernetes.json'), null)).rejects.toThrow(
      /Source not found/,
    )
  })

  it('re-importing the same file changes nothing; a full import marks what the file no longer lists as deleted', async () => {
    const first = await importFixture('generic_csv', 'generic.csv')
    const ctx = first.ctx
    const again = await upload(ctx, { format: 'generic_csv', sourceId: first.source.id, name: 'again.csv' }, body('generic.csv'), null)
    const job = await startImport(ctx, { orgSlug: first.org.slug, uploadId: again.uploadId, allOrNothing: false, mode: 'partial' })
    await drainJobs()
    expect(JSON.parse((await db.job.findUniqueOrThrow({ where: { id: job.id } })).result!)).toMatchObject({ added: 0, changed: 0, unchanged: 9 })
    const csv = fs
      .readFileSync(path.join(FIXTURES, 'generic.csv'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('slack-alerts') && !l.startsWith('broken-row'))
      .join('\n')
    const small = await upload(
      ctx,
      { format: 'generic_csv', sourceId: first.source.id, name: 'smaller.csv' },
      Readable.toWeb(Readable.from([csv])) as ReadableStream<Uint8Array>,
      null,
    )
    const full = await startImport(ctx, { orgSlug: first.org.slug, uploadId: small.uploadId, allOrNothing: false, mode: 'full' })
    await drainJobs()
    expect(JSON.parse((await db.job.findUniqueOrThrow({ where: { id: full.id } })).result!)).toMatchObject({ gone: 1, errors: 0 })
    expect(await db.identity.findFirst({ where: { sourceId: first.source.id, externalId: 'slack-alerts-bot' } })).toMatchObject({ status: 'deleted' })
  })
  it('uploads go only into import sources: a live connector or a demo source is refused before anything is saved', async () => {
    const t = await createOrg()
    const ctx = t.ctx('admin')
    const csv = () => body('generic.csv')
    const live = await db.source.create({
      data: { orgId: t.org.id, name: 'Postgres prod', type: 'postgresql', secretRef: 'PG_PROD_URL', config: '{"host":"db.internal"}' },
    })
    // Even a live source whose config names an import format (as a crafted or edited config could) is not an import source.
    const liveWithFormat = await db.source.create({
      data: { orgId: t.org.id, name: 'Postgres tagged', type: 'postgresql', secretRef: 'PG_PROD_URL', config: '{"importFormat":"generic_csv"}' },
    })
    const demo = await db.source.create({
      data: { orgId: t.org.id, name: 'GitHub demo', type: 'github', config: '{"simulated":true,"importFormat":"github"}' },
    })
    const before = uploadsOnDisk()
    await expect(upload(ctx, { format: 'generic_csv', sourceId: live.id, name: 'x.csv' }, csv(), null)).rejects.toThrow(
      /“Postgres prod” is a live connector.*does not take uploaded files/,
    )
    await expect(upload(ctx, { format: 'generic_csv', sourceId: liveWithFormat.id, name: 'x.csv' }, csv(), null)).rejects.toThrow(/is a live connector/)
    await expect(upload(ctx, { format: 'github', sourceId: demo.id, name: 'x.json' }, body('github-org.json'), null)).rejects.toThrow(
      /“GitHub demo” is a demo source/,
    )
    await expect(
      upload(ctx, { format: 'aws_credential_report', sourceId: t.source.id, name: 'x.csv' }, body('aws-credential-report.csv'), null),
    ).rejects.toThrow(/“AWS test” is not an import source/)
    expect(uploadsOnDisk()).toBe(before)
    expect(await db.job.count({ where: { orgId: t.org.id } })).toBe(0)
    // The import page offers only the import sources.
    const spreadsheet = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'Spreadsheet', format: 'generic_csv' })
    expect((await listSources(ctx)).filter((s) => s.importFormat).map((s) => s.id)).toEqual([spreadsheet.id])
  })

  it('a complete-inventory import never marks identities of a source that stopped being an import source deleted', async () => {
    const t = await createOrg()
    const ctx = t.ctx('admin')
    const source = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'was a spreadsheet', format: 'generic_csv' })
    const up = await upload(ctx, { format: 'generic_csv', sourceId: source.id, name: 'one.csv' }, streamOf(['name,external_id\nonly-one,only-one\n']), null)
    // The source becomes a live connector after the upload, with real identities that the file does not list.
    await db.source.update({ where: { id: source.id }, data: { type: 'postgresql', secretRef: 'PG_PROD_URL', config: '{"importFormat":"generic_csv"}' } })
    const real = await Promise.all([addIdentity(t.org.id, source.id), addIdentity(t.org.id, source.id)])
    await expect(startImport(ctx, { orgSlug: t.org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'full' })).rejects.toThrow(/is a live connector/)
    // Queued some other way, the import job checks again and refuses.
    const job = await enqueueJobNow(
      importFileJob,
      { uploadId: up.uploadId, sourceId: source.id, mode: 'full' },
      { orgId: t.org.id, createdById: t.people.admin.id },
    )
    await drainJobs()
    const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
    expect(done).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/is a live connector/) })
    expect(await db.identity.count({ where: { id: { in: real.map((i) => i.id) }, status: 'active' } })).toBe(2)
    expect(await db.identity.count({ where: { sourceId: source.id } })).toBe(2)
    expect(await db.auditEvent.count({ where: { orgId: t.org.id, action: { in: ['source.import', 'source.sync'] } } })).toBe(0)
  })

  it('an import waits for its preview', async () => {
    const t = await createOrg()
    const ctx = t.ctx('admin')
    const source = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'csv', format: 'generic_csv' })
    const up = await receiveUpload(ctx, { format: 'generic_csv', sourceId: source.id, name: 'a.csv' }, body('generic.csv'), null)
    await expect(startImport(ctx, { orgSlug: t.org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'partial' })).rejects.toThrow(/still being checked/)
    await drainJobs()
    await expect(startImport(ctx, { orgSlug: t.org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'partial' })).resolves.toMatchObject({
      type: importFileJob.type,
    })
  })

  it('a 200 MB line of commas and JSON nested 100,000 deep are refused with a message, in bounded memory', async () => {
    const t = await createOrg()
    const ctx = t.ctx('admin')
    const csvSource = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'csv', format: 'generic_csv' })
    const jsonSource = await createImportSource(ctx, { orgSlug: t.org.slug, name: 'k8s', format: 'kubernetes' })
    const MB = Buffer.alloc(1024 ** 2, ',')
    // Generated as it is read: the 200 MB never exist in memory at once.
    async function* commas(mb: number, head = '', tail = '') {
      if (head) yield Buffer.from(head)
      for (let i = 0; i < mb; i++) yield MB
      if (tail) yield Buffer.from(tail)
    }
    let peak = 0
    const base = process.memoryUsage().heapUsed
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - base)), 5)
    try {
      const csvBomb = await upload(ctx, { format: 'generic_csv', sourceId: csvSource.id, name: 'bomb.csv' }, streamOf(commas(200)), null).catch(
        (e: Error & { uploadId: string }) => e,
      )
      expect(csvBomb).toMatchObject({ message: expect.stringMatching(/^The header row \(line 1\) could not be read: the row is longer than 1 MB/) })
      const jsonBomb = await upload(ctx, { format: 'kubernetes', sourceId: jsonSource.id, name: 'bomb.json' }, streamOf(['['.repeat(100_000)]), null).catch(
        (e: Error & { uploadId: string }) => e,
      )
      expect(jsonBomb).toMatchObject({ message: expect.stringMatching(/^The JSON is nested more than 64 levels deep \(line 1\)/) })
      // The refused files were removed.
      for (const bomb of [csvBomb, jsonBomb])
        expect(fs.existsSync(path.resolve('data/imports', `${(bomb as { uploadId: string }).uploadId}.upload`))).toBe(false)
      // A bomb on a later line is one unreadable row: the preview reports it and goes on reading past it.
      const up = await upload(
        ctx,
        { format: 'generic_csv', sourceId: csvSource.id, name: 'row.csv' },
        streamOf(commas(200, 'name,external_id\nfirst,a\n', '\nlast,b\n')),
        null,
      )
      expect(up.preview).toMatchObject({ identities: 2, errorCount: 1, errors: [{ line: 3, message: expect.stringMatching(/longer than 1 MB/) }] })
      await unsafeRemoveUpload(up.uploadId)
    } finally {
      clearInterval(sample)
    }
    expect(peak).toBeLessThan(96 * 1024 ** 2)
    expect(await db.job.count({ where: { orgId: t.org.id, status: 'failed' } })).toBe(2)
  })
})
