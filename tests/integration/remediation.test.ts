import { createHmac } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { isLoopback } from '@/lib/connectors/webhook'
import { drainJobs } from '@/lib/jobs/worker'
import { verifyAuditChain } from '@/lib/audit/queries'
import { retryJob } from '@/lib/remediation/job-admin'
import { markRemediationDone, requestBulkRemediation, requestRemediation, requestRemediations } from '@/lib/remediation/mutations'
import { getIdentityRemediations, previewBulkRemediation } from '@/lib/remediation/queries'
import { addIdentity, claimsOf, createOrg, engine, uid } from './fixtures'

const DAY = 86_400_000

type Org = Awaited<ReturnType<typeof createOrg>>

async function source(org: Org, type: string, config: Record<string, unknown> = {}, secretRef: string | null = null) {
  return db.source.create({ data: { orgId: org.org.id, name: uid(`${type}-`), type, config: JSON.stringify(config), secretRef } })
}

/** An identity with grants (first one privileged) and credentials, and its denormalized columns set to match. */
async function identityWithAccess(org: Org, sourceId: string, opts: { grants?: number; credentials?: number; usedDaysAgo?: number[] } = {}) {
  const orgId = org.org.id
  const identity = await addIdentity(orgId, sourceId)
  const resource = await db.resource.create({ data: { orgId, sourceId, externalId: uid('res-'), name: 'orders-db', type: 'database' } })
  const grants = []
  for (let i = 0; i < (opts.grants ?? 3); i++) {
    const e = await db.entitlement.create({
      data: { orgId, sourceId, resourceId: resource.id, externalId: uid('ent-'), name: i === 0 ? 'admin' : `read-${i}`, privileged: i === 0 },
    })
    const used = opts.usedDaysAgo?.[i]
    grants.push(
      await db.grant.create({
        data: {
          orgId,
          identityId: identity.id,
          entitlementId: e.id,
          privileged: i === 0,
          createdAt: new Date(Date.now() - 100 * DAY),
          lastUsedAt: used == null ? null : new Date(Date.now() - used * DAY),
        },
      }),
    )
  }
  const credentials = []
  for (let i = 0; i < (opts.credentials ?? 2); i++) {
    credentials.push(
      await db.credential.create({
        data: {
          orgId,
          identityId: identity.id,
          kind: 'token',
          externalId: uid('cred-'),
          fingerprint: uid('fp-'),
          createdAt: new Date(Date.now() - (400 - i * 100) * DAY),
          lastUsedAt: new Date(Date.now() - DAY),
        },
      }),
    )
  }
  await db.identity.update({
    where: { id: identity.id },
    data: { grantCount: grants.length, privileged: grants.length > 0, credentialCount: credentials.length, oldestSecretAt: credentials[0]?.createdAt ?? null },
  })
  return { identity, grants, credentials }
}

const audits = (orgId: string, action: string) => db.auditEvent.findMany({ where: { orgId, action }, orderBy: { seq: 'asc' } })

describe(`remediation (${engine})`, () => {
  it('revokes a grant: pending + audit + job in one transaction, then applied by the job, with the identity rolled up', async () => {
    const org = await createOrg()
    const src = await source(org, 'aws', { simulated: true })
    const { identity, grants } = await identityWithAccess(org, src.id)
    const ctx = org.ctx('governance')

    const r = await requestRemediation(ctx, { kind: 'revoke_grant', identityId: identity.id, grantId: grants[0].id, justification: 'unused admin access' })
    expect(r.created).toBe(true)
    expect(r.remediation).toMatchObject({ status: 'pending', simulated: true, requestedById: org.people.governance.id })
    const job = await db.job.findUniqueOrThrow({ where: { id: r.remediation.jobId! } })
    expect(job).toMatchObject({ type: 'revoke_grant', status: 'queued', idempotencyKey: `revoke_grant:${grants[0].id}:${r.remediation.id}` })
    const [req] = await audits(org.org.id, 'remediation.request')
    expect(req).toMatchObject({ actorType: 'user', actorId: org.people.governance.id, targetId: identity.id, justification: 'unused admin access' })

    // Asking twice gives the same pending remediation and no second job.
    const again = await requestRemediation(ctx, { kind: 'revoke_grant', identityId: identity.id, grantId: grants[0].id, justification: 'unused admin access' })
    expect(again).toMatchObject({ created: false, remediation: { id: r.remediation.id } })
    expect(await db.job.count({ where: { orgId: org.org.id } })).toBe(1)

    await drainJobs()
    expect(await db.remediation.findUniqueOrThrow({ where: { id: r.remediation.id } })).toMatchObject({ status: 'applied', openKey: null })
    expect(await db.grant.findUniqueOrThrow({ where: { id: grants[0].id } })).toMatchObject({ status: 'revoked' })
    expect((await db.grant.findUniqueOrThrow({ where: { id: grants[0].id } })).revokedAt).toBeInstanceOf(Date)
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'succeeded' })
    // The only privileged grant is gone: the identity is no longer privileged and has one grant fewer.
    expect(await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({ grantCount: 2, privileged: false, credentialCount: 2 })
    const applied = await audits(org.org.id, 'remediation.applied')
    expect(applied).toHaveLength(1)
    expect(applied[0]).toMatchObject({ actorType: 'system', outcome: 'success', targetId: identity.id })

    // A revoked grant cannot be revoked again.
    await expect(
      requestRemediation(ctx, { kind: 'revoke_grant', identityId: identity.id, grantId: grants[0].id, justification: 'again please' }),
    ).rejects.toThrow('already revoked')
  })

  it('many revocations: requested in one batch, run in batches, each job and audit row on its own, a vanished grant failing alone', async () => {
    const org = await createOrg()
    const src = await source(org, 'aws', { simulated: true })
    const a = await identityWithAccess(org, src.id, { grants: 3, credentials: 1 })
    const b = await identityWithAccess(org, src.id, { grants: 2, credentials: 1 })
    const ctx = org.ctx('governance')
    await db.grant.update({ where: { id: b.grants[1].id }, data: { status: 'revoked' } })
    const grant = (identityId: string, grantId: string) => ({ kind: 'revoke_grant' as const, identityId, grantId, justification: 'unused access' })
    const r = await requestRemediations(ctx, [
      grant(a.identity.id, a.grants[0].id),
      grant(a.identity.id, a.grants[1].id),
      grant(a.identity.id, a.grants[0].id), // the same target twice: one remediation
      grant(b.identity.id, b.grants[0].id),
      grant(b.identity.id, b.grants[1].id), // already revoked: skipped
      { kind: 'revoke_credential', identityId: b.identity.id, credentialId: b.credentials[0].id, justification: 'leaked' },
      grant(a.identity.id, a.grants[2].id),
    ])
    expect(r.created).toHaveLength(5)
    expect(r.existing).toEqual([r.created[0]])
    expect(r.skipped).toEqual([{ target: expect.objectContaining({ grantId: b.grants[1].id }), reason: expect.stringMatching(/already revoked/) }])
    const rems = await db.remediation.findMany({ where: { id: { in: r.created } } })
    expect(rems.every((x) => x.status === 'pending' && x.jobId && x.openKey)).toBe(true)
    const requested = await audits(org.org.id, 'remediation.request')
    expect(requested.map((e) => JSON.parse(e.details).remediationId).sort()).toEqual([...r.created].sort())
    expect(requested.every((e) => e.actorId === org.people.governance.id)).toBe(true)
    // Another org's grant named under this org's identity is not found, and nothing of the batch is written.
    const other = await createOrg()
    const foreign = await identityWithAccess(other, (await source(other, 'aws', { simulated: true })).id, { grants: 1, credentials: 0 })
    await expect(requestRemediations(ctx, [grant(a.identity.id, foreign.grants[0].id)])).rejects.toBeInstanceOf(NotFoundError)

    // The last grant disappears from the inventory before its job runs.
    const gone = rems.find((x) => x.grantId === a.grants[2].id)!
    await db.grant.delete({ where: { id: a.grants[2].id } })
    // Two claims run all five: the four grant revocations together, then the credential's.
    expect(await claimsOf(rems.map((x) => x.jobId!))).toBe(2)
    const jobs = await db.job.findMany({ where: { id: { in: rems.map((x) => x.jobId!) } } })
    expect(jobs.filter((j) => j.status === 'succeeded')).toHaveLength(4)
    expect(jobs.find((j) => j.id === gone.jobId)).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/no longer exists/) })
    expect(await db.remediation.findUniqueOrThrow({ where: { id: gone.id } })).toMatchObject({ status: 'failed' })
    const applied = await audits(org.org.id, 'remediation.applied')
    expect(applied).toHaveLength(4)
    // Each audit row names the job that applied it, and the chain still verifies.
    for (const e of applied) {
      const rem = rems.find((x) => x.id === JSON.parse(e.details).remediationId)!
      expect(e).toMatchObject({ actorType: 'system', actorLabel: `${rem.kind} ${rem.jobId}`, targetId: rem.identityId })
    }
    expect(await db.identity.findUniqueOrThrow({ where: { id: a.identity.id } })).toMatchObject({ grantCount: 0, privileged: false })
    expect(await db.identity.findUniqueOrThrow({ where: { id: b.identity.id } })).toMatchObject({ grantCount: 0, credentialCount: 0 })
    expect(await db.credential.findUniqueOrThrow({ where: { id: b.credentials[0].id } })).toMatchObject({ status: 'revoked' })
    expect(await verifyAuditChain(org.ctx('auditor'))).toMatchObject({ ok: true })
  })

  it('refuses a role without identity:remediate, another org’s identity, and an empty justification', async () => {
    const org = await createOrg()
    const other = await createOrg()
    const src = await source(org, 'aws', { simulated: true })
    const { identity, grants } = await identityWithAccess(org, src.id)
    const target = { kind: 'revoke_grant' as const, identityId: identity.id, grantId: grants[1].id, justification: 'not needed anymore' }
    await expect(requestRemediation(org.ctx('member'), target)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(requestRemediation(org.ctx('auditor'), target)).rejects.toBeInstanceOf(ForbiddenError)
    await expect(requestRemediation(other.ctx('admin'), target)).rejects.toBeInstanceOf(NotFoundError)
    await expect(requestRemediation(org.ctx('admin'), { ...target, justification: '  ' })).rejects.toBeInstanceOf(ValidationError)
    await expect(previewBulkRemediation(other.ctx('admin'), { identityId: identity.id, grantIds: [grants[1].id], credentialIds: [] })).rejects.toBeInstanceOf(
      NotFoundError,
    )
    expect(await db.remediation.count({ where: { identityId: identity.id } })).toBe(0)
    expect(await db.job.count({ where: { orgId: org.org.id } })).toBe(0)
  })

  it('previews and requests a bulk revoke of one identity’s grants and credentials', async () => {
    const org = await createOrg()
    const src = await source(org, 'github', { simulated: true })
    const { identity, grants, credentials } = await identityWithAccess(org, src.id, {
      grants: 4,
      credentials: 2,
      usedDaysAgo: [1, 30, 3, undefined as unknown as number],
    })
    const ctx = org.ctx('admin')
    const input = { identityId: identity.id, grantIds: grants.map((g) => g.id), credentialIds: credentials.map((c) => c.id) }
    const preview = await previewBulkRemediation(ctx, input)
    // grants used 1 and 3 days ago, both credentials yesterday
    expect(preview).toMatchObject({
      total: 6,
      recentlyUsed: 4,
      privileged: 1,
      alreadyRevoked: 0,
      alreadyPending: 0,
      byMode: { simulated: 6, live: 0, manual: 0 },
    })
    const r = await requestBulkRemediation(ctx, { ...input, justification: 'decommissioned service' })
    expect(r.created).toHaveLength(6)
    expect(await audits(org.org.id, 'remediation.request')).toHaveLength(6)
    expect((await previewBulkRemediation(ctx, input)).alreadyPending).toBe(6)
    await drainJobs()
    expect(await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({
      grantCount: 0,
      privileged: false,
      credentialCount: 0,
      oldestSecretAt: null,
    })
    const view = await getIdentityRemediations(ctx, identity.id)
    expect(view.mode).toBe('simulated')
    expect(view.latestByCredential[credentials[0].id]).toMatchObject({ status: 'applied', simulated: true })
  })

  it('a source that cannot be acted on creates a manual task; marking it done applies it', async () => {
    const org = await createOrg()
    const src = await source(org, 'csv')
    const { identity, credentials } = await identityWithAccess(org, src.id, { grants: 1, credentials: 2 })
    const ctx = org.ctx('governance')
    const r = await requestRemediation(ctx, {
      kind: 'revoke_credential',
      identityId: identity.id,
      credentialId: credentials[1].id,
      justification: 'leaked in a ticket',
    })
    await drainJobs()
    const task = await db.remediation.findUniqueOrThrow({ where: { id: r.remediation.id } })
    expect(task.status).toBe('manual')
    expect(task.instructions).toContain('Revoke or delete credential')
    expect(await db.credential.findUniqueOrThrow({ where: { id: credentials[1].id } })).toMatchObject({ status: 'active' })
    await expect(markRemediationDone(org.ctx('member'), { remediationId: task.id })).rejects.toBeInstanceOf(ForbiddenError)
    await expect(markRemediationDone((await createOrg()).ctx('admin'), { remediationId: task.id })).rejects.toBeInstanceOf(NotFoundError)
    await markRemediationDone(ctx, { remediationId: task.id, note: 'deleted in the vendor console' })
    expect(await db.remediation.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({ status: 'applied', completedById: org.people.governance.id })
    expect(await db.credential.findUniqueOrThrow({ where: { id: credentials[1].id } })).toMatchObject({ status: 'revoked' })
    expect(await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({ credentialCount: 1 })
    expect(await audits(org.org.id, 'remediation.mark-done')).toHaveLength(1)
    await expect(markRemediationDone(ctx, { remediationId: task.id })).rejects.toThrow('applied')
  })

  describe('webhook to the customer’s automation', () => {
    let server: http.Server
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = []
    let url = ''
    let status = 200
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => {
          received.push({ headers: req.headers, body })
          res.statusCode = status
          res.end('ok')
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
      process.env.REMED_TEST_WEBHOOK_SECRET = 'whsec-remed-test-0123456789'
    })
    afterAll(() => new Promise<void>((r) => server.close(() => r())))

    it('posts a signed request (HMAC-SHA256 of the raw body) and keeps a task open', async () => {
      const org = await createOrg()
      const src = await source(org, 'api', { webhookUrl: url }, 'REMED_TEST_WEBHOOK_SECRET')
      const { identity, grants } = await identityWithAccess(org, src.id, { grants: 1 })
      const r = await requestRemediation(org.ctx('admin'), {
        kind: 'revoke_grant',
        identityId: identity.id,
        grantId: grants[0].id,
        justification: 'over-privileged bot',
      })
      await drainJobs()
      const hit = received.find((x) => x.body.includes(r.remediation.id))!
      expect(hit).toBeTruthy()
      const expected = `sha256=${createHmac('sha256', 'whsec-remed-test-0123456789').update(hit.body).digest('hex')}`
      expect(hit.headers['x-custodian-signature']).toBe(expected)
      expect(JSON.parse(hit.body)).toMatchObject({
        type: 'remediation.requested',
        kind: 'revoke_grant',
        justification: 'over-privileged bot',
        identity: { id: identity.id },
      })
      expect(await db.remediation.findUniqueOrThrow({ where: { id: r.remediation.id } })).toMatchObject({
        status: 'manual',
        detail: expect.stringContaining('Sent to your automation'),
      })
      expect(hit.body).not.toContain('whsec-remed-test')
    })

    it('refuses to post to a plain-http webhook that is not on this machine (rotated secrets travel in events)', async () => {
      const org = await createOrg()
      const src = await source(org, 'api', { webhookUrl: 'http://automation.example.com/hook' }, 'REMED_TEST_WEBHOOK_SECRET')
      const { identity } = await identityWithAccess(org, src.id, { grants: 0, credentials: 0 })
      const r = await requestRemediation(org.ctx('admin'), { kind: 'disable_identity', identityId: identity.id, justification: 'owner left the company' })
      await drainJobs()
      const job = await db.job.findUniqueOrThrow({ where: { id: r.remediation.jobId! } })
      expect(job).toMatchObject({ status: 'failed', lastError: expect.stringContaining('must use https') })
      expect(job.attempts).toBe(1)
      expect([isLoopback('127.0.0.1'), isLoopback('[::1]'), isLoopback('localhost'), isLoopback('127.0.0.1.evil.example')]).toEqual([true, true, true, false])
    })

    it('retries when the automation answers an error, then fails for good with the last error', async () => {
      status = 503
      const org = await createOrg()
      const src = await source(org, 'api', { webhookUrl: url }, 'REMED_TEST_WEBHOOK_SECRET')
      const { identity } = await identityWithAccess(org, src.id, { grants: 0, credentials: 0 })
      const r = await requestRemediation(org.ctx('admin'), { kind: 'disable_identity', identityId: identity.id, justification: 'owner left the company' })
      const jobId = r.remediation.jobId!
      await db.job.update({ where: { id: jobId }, data: { maxAttempts: 2 } })
      for (let i = 0; i < 2; i++) {
        await db.job.update({ where: { id: jobId }, data: { runAt: new Date(Date.now() - 1000) } })
        await drainJobs()
      }
      status = 200
      expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastError: expect.stringContaining('HTTP 503'),
      })
      expect(await db.remediation.findUniqueOrThrow({ where: { id: r.remediation.id } })).toMatchObject({
        status: 'failed',
        lastError: expect.stringContaining('HTTP 503'),
        openKey: null,
      })
      const [failed] = await audits(org.org.id, 'remediation.failed')
      expect(failed).toMatchObject({ actorType: 'system', outcome: 'failure' })
      expect(await db.identity.findUniqueOrThrow({ where: { id: identity.id } })).toMatchObject({ status: 'active' })

      // Retry from the Jobs page: attempts reset, due now, remediation pending again, audited; this time it reaches the automation.
      await expect(retryJob(org.ctx('member'), jobId)).rejects.toBeInstanceOf(ForbiddenError)
      await retryJob(org.ctx('governance'), jobId)
      expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: 'queued', attempts: 0, lastError: null })
      expect(await audits(org.org.id, 'job.retry')).toHaveLength(1)
      await drainJobs()
      expect(await db.remediation.findUniqueOrThrow({ where: { id: r.remediation.id } })).toMatchObject({ status: 'manual' })
      await expect(retryJob(org.ctx('governance'), jobId)).rejects.toThrow('Only a failed job')
    })
  })

  it('an unreachable source fails with a clear reason after bounded retries, and its secret appears nowhere', async () => {
    const secret = 'S3cr3t-remed-unreachable-pw'
    process.env.REMED_TEST_UNREACHABLE_URL = `postgresql://remed:${secret}@127.0.0.1:1/nowhere`
    const org = await createOrg()
    const src = await source(org, 'postgresql', {}, 'REMED_TEST_UNREACHABLE_URL')
    const { identity, grants } = await identityWithAccess(org, src.id, { grants: 1 })
    const r = await requestRemediation(org.ctx('admin'), {
      kind: 'revoke_grant',
      identityId: identity.id,
      grantId: grants[0].id,
      justification: 'unused for a year',
    })
    expect(r.remediation.simulated).toBe(false)
    const jobId = r.remediation.jobId!
    await db.job.update({ where: { id: jobId }, data: { maxAttempts: 2 } })
    for (let i = 0; i < 2; i++) {
      await db.job.update({ where: { id: jobId }, data: { runAt: new Date(Date.now() - 1000) } })
      await drainJobs()
    }
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId } })
    expect(job.status).toBe('failed')
    expect(job.lastError).toMatch(/Cannot reach the PostgreSQL source at 127\.0\.0\.1:1\/nowhere/)
    const rem = await db.remediation.findUniqueOrThrow({ where: { id: r.remediation.id } })
    expect(rem.status).toBe('failed')
    // Grep every row this organization's remediation wrote for the secret.
    const rows = JSON.stringify([
      await db.auditEvent.findMany({ where: { orgId: org.org.id } }),
      await db.job.findMany({ where: { orgId: org.org.id } }),
      await db.remediation.findMany({ where: { orgId: org.org.id } }),
      await db.source.findMany({ where: { orgId: org.org.id } }),
    ])
    expect(rows).toContain('Cannot reach the PostgreSQL source')
    expect(rows).not.toContain(secret)
    expect(rows).not.toContain('remed:')
  })

  it('a postgresql source whose secret variable is missing fails at once, naming the variable', async () => {
    const org = await createOrg()
    const src = await source(org, 'postgresql', {}, 'REMED_TEST_NOT_SET_ANYWHERE')
    const { identity } = await identityWithAccess(org, src.id, { grants: 0, credentials: 0 })
    const r = await requestRemediation(org.ctx('admin'), { kind: 'disable_identity', identityId: identity.id, justification: 'compromised host' })
    await drainJobs()
    expect(await db.job.findUniqueOrThrow({ where: { id: r.remediation.jobId! } })).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('REMED_TEST_NOT_SET_ANYWHERE'),
    })
  })

  it('quarantines a disabled identity, deletes it after the soak period, and restoring cancels the deletion', async () => {
    const org = await createOrg()
    await db.organization.update({ where: { id: org.org.id }, data: { settings: JSON.stringify({ quarantineSoakDays: 3 }) } })
    const src = await source(org, 'gcp', { simulated: true })
    const a = await addIdentity(org.org.id, src.id)
    const b = await addIdentity(org.org.id, src.id)
    const ctx = org.ctx('admin')
    const ra = await requestRemediation(ctx, { kind: 'disable_identity', identityId: a.id, justification: 'dormant for a year' })
    const rb = await requestRemediation(ctx, { kind: 'disable_identity', identityId: b.id, justification: 'dormant for a year' })
    await drainJobs()
    for (const id of [a.id, b.id]) expect(await db.identity.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'quarantined' })
    const soak = (await db.remediation.findUniqueOrThrow({ where: { id: ra.remediation.id } })).soakUntil!
    expect(Math.round((soak.getTime() - Date.now()) / DAY)).toBe(3)
    const delA = await db.job.findUniqueOrThrow({ where: { idempotencyKey: `delete_identity:${ra.remediation.id}` } })
    expect(delA).toMatchObject({ status: 'queued', type: 'delete_identity' })
    expect(delA.runAt.getTime()).toBe(soak.getTime())

    // Restore A during the soak: the deletion is canceled, the identity is active again.
    await requestRemediation(ctx, { kind: 'enable_identity', identityId: a.id, justification: 'still used by billing' })
    expect(await db.job.findUniqueOrThrow({ where: { id: delA.id } })).toMatchObject({ status: 'canceled' })
    await drainJobs()
    expect(await db.identity.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: 'active' })

    // B's soak ends: it is deleted at the source.
    await db.job.update({ where: { idempotencyKey: `delete_identity:${rb.remediation.id}` }, data: { runAt: new Date(Date.now() - 1000) } })
    await drainJobs()
    expect(await db.identity.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: 'deleted' })
    expect(await audits(org.org.id, 'remediation.quarantine-delete')).toHaveLength(1)
  })

  it('a campaign decision authorizes the remediation for a reviewer without identity:remediate', async () => {
    const org = await createOrg()
    const src = await source(org, 'aws', { simulated: true })
    const { identity, grants } = await identityWithAccess(org, src.id, { grants: 1 })
    const campaign = await db.campaign.create({ data: { orgId: org.org.id, name: 'Q4 review', type: 'entitlement' } })
    const item = await db.reviewItem.create({
      data: {
        orgId: org.org.id,
        campaignId: campaign.id,
        identityId: identity.id,
        grantId: grants[0].id,
        snapshot: '{}',
        status: 'decided',
        decision: 'revoke',
        reviewerId: org.people.member.id,
      },
    })
    const keep = await db.reviewItem.create({
      data: { orgId: org.org.id, campaignId: campaign.id, identityId: identity.id, snapshot: '{}', status: 'decided', decision: 'keep' },
    })
    const member = org.ctx('member')
    await expect(
      requestRemediation(member, {
        kind: 'revoke_grant',
        identityId: identity.id,
        grantId: grants[0].id,
        justification: 'reviewer said revoke',
        reviewItemId: keep.id,
      }),
    ).rejects.toThrow('not decided revoke')
    // Callable inside the caller's transaction (the campaign close).
    await db.$transaction((tx) =>
      requestRemediation(
        member,
        { kind: 'revoke_grant', identityId: identity.id, grantId: grants[0].id, justification: 'reviewer said revoke', reviewItemId: item.id },
        tx,
      ),
    )
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({ remediationStatus: 'pending' })
    await drainJobs()
    expect(await db.reviewItem.findUniqueOrThrow({ where: { id: item.id } })).toMatchObject({ remediationStatus: 'applied' })
  })
})
