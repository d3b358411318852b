import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { drainJobs } from '@/lib/jobs/worker'
import '@/lib/sources/jobs'
import { createImportSource, startImport } from '@/lib/sources/mutations'
import { receiveUpload } from '@/lib/sources/receive'
import type { ImportFormat } from '@/lib/sources/schemas'
import { createOrg, engine } from './fixtures'

const FIXTURES = path.resolve('tests/fixtures/imports')
const body = (name: string) => Readable.toWeb(fs.createReadStream(path.join(FIXTURES, name))) as ReadableStream<Uint8Array>

async function importFixture(format: ImportFormat, file: string, opts: { allOrNothing?: boolean; mode?: 'full' | 'partial' } = {}) {
  const t = await createOrg()
  const ctx = t.ctx('governance')
  const source = await createImportSource(ctx, { orgSlug: t.org.slug, name: `Import ${format}`, format })
  const up = await receiveUpload(ctx, { format, sourceId: source.id, name: file }, body(file), null)
  const job = await startImport(ctx, { orgSlug: t.org.slug, uploadId: up.uploadId, allOrNothing: opts.allOrNothing ?? false, mode: opts.mode ?? 'partial' })
  await drainJobs()
  const done = await db.job.findUniqueOrThrow({ where: { id: job.id } })
  const identities = await db.identity.findMany({ where: { sourceId: source.id }, orderBy: { externalId: 'asc' }, include: { credentials: true, grants: { include: { entitlement: true } } } })
  return { ...t, ctx, source, up, job: done, result: done.result ? JSON.parse(done.result) : null, identities }
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
    expect(actions).toEqual([['source.create', people.governance.id], ['source.import', people.governance.id], ['source.sync-batch', people.governance.id], ['source.sync', people.governance.id]])
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
    const csv = fs.readFileSync(path.join(FIXTURES, 'generic.csv'), 'utf8').split('\n').filter((l) => !l.startsWith('broken-row')).join('\n')
    const up = await receiveUpload(ctx, { format: 'generic_csv', sourceId: source.id, name: 'clean.csv' }, Readable.toWeb(Readable.from([csv])) as ReadableStream<Uint8Array>, null)
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
    const { result, identities } = await importFixture('aws_credential_report', 'aws-credential-report.csv')
    expect(result).toMatchObject({ added: 6, errors: 1, errorSamples: [{ line: 8, message: expect.stringContaining('user_creation_time') }] })
    const byName = Object.fromEntries(identities.map((i) => [i.name, i]))
    expect(byName['root (123456789012)']).toMatchObject({ kind: 'other', credentialCount: 0 })
    expect(byName['alice.ops']).toMatchObject({ kind: 'other', credentialCount: 1 })
    expect(byName['svc-backup']).toMatchObject({ kind: 'service_account', credentialCount: 2 })
    expect(byName['svc-backup'].lastUsedAt?.toISOString()).toBe('2025-11-23T02:00:00.000Z')
    expect(byName['svc-backup'].oldestSecretAt?.toISOString()).toBe('2020-09-09T08:00:01.000Z')
    expect(byName['svc-datadog'].credentials.map((c) => c.status).sort()).toEqual(['active', 'inactive'])
    expect(byName['jenkins-legacy'].credentials.map((c) => c.kind).sort()).toEqual(['access_key', 'certificate'])
    expect(JSON.parse(byName['svc-terraform'].metadata)).toMatchObject({ accessKey1LastUsedService: 'iam', account: '123456789012' })
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
    await expect(receiveUpload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'x.json' }, body('not-kubectl.json'), null)).rejects.toThrow(/does not look like kubectl JSON output/)
    await expect(receiveUpload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'x.csv' }, body('generic.csv'), null)).rejects.toThrow(/not valid JSON/)
    await expect(receiveUpload(ctx, { format: 'generic_csv', sourceId: src.id, name: 'x.csv' }, body('generic.csv'), null)).rejects.toThrow(/takes Kubernetes/)
    await expect(receiveUpload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'big.json' }, body('kubernetes.json'), 300 * 1024 ** 2)).rejects.toThrow(/larger than 200 MB/)
    await expect(receiveUpload(t.ctx('member'), { format: 'kubernetes', sourceId: src.id, name: 'k.json' }, body('kubernetes.json'), null)).rejects.toThrow(/permission/)
    const up = await receiveUpload(ctx, { format: 'kubernetes', sourceId: src.id, name: 'k.json' }, body('kubernetes.json'), null)
    const other = await createOrg()
    await expect(startImport(other.ctx('admin'), { orgSlug: other.org.slug, uploadId: up.uploadId, allOrNothing: false, mode: 'partial' })).rejects.toThrow(/upload is gone/)
    await expect(receiveUpload(other.ctx('admin'), { format: 'kubernetes', sourceId: src.id, name: 'k.json' }, body('kubernetes.json'), null)).rejects.toThrow(/Source not found/)
  })

  it('re-importing the same file changes nothing; a full import marks what the file no longer lists as deleted', async () => {
    const first = await importFixture('generic_csv', 'generic.csv')
    const ctx = first.ctx
    const again = await receiveUpload(ctx, { format: 'generic_csv', sourceId: first.source.id, name: 'again.csv' }, body('generic.csv'), null)
    const job = await startImport(ctx, { orgSlug: first.org.slug, uploadId: again.uploadId, allOrNothing: false, mode: 'partial' })
    await drainJobs()
    expect(JSON.parse((await db.job.findUniqueOrThrow({ where: { id: job.id } })).result!)).toMatchObject({ added: 0, changed: 0, unchanged: 9 })
    const csv = fs.readFileSync(path.join(FIXTURES, 'generic.csv'), 'utf8').split('\n').filter((l) => !l.startsWith('slack-alerts') && !l.startsWith('broken-row')).join('\n')
    const small = await receiveUpload(ctx, { format: 'generic_csv', sourceId: first.source.id, name: 'smaller.csv' }, Readable.toWeb(Readable.from([csv])) as ReadableStream<Uint8Array>, null)
    const full = await startImport(ctx, { orgSlug: first.org.slug, uploadId: small.uploadId, allOrNothing: false, mode: 'full' })
    await drainJobs()
    expect(JSON.parse((await db.job.findUniqueOrThrow({ where: { id: full.id } })).result!)).toMatchObject({ gone: 1, errors: 0 })
    expect(await db.identity.findFirst({ where: { sourceId: first.source.id, externalId: 'slack-alerts-bot' } })).toMatchObject({ status: 'deleted' })
  })
})
