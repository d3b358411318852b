import { lookup } from 'node:dns/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { hostname } from 'node:os'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { handleLeakReport } from '@/lib/api-tokens/leaks'
import { createApiToken } from '@/lib/api-tokens/mutations'
import { decideItem } from '@/lib/campaigns/decide'
import { createCampaign, requestClose } from '@/lib/campaigns/mutations'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { createIdentity, deleteIdentity, updateIdentity } from '@/lib/inventory/mutations'
import { assignOwner } from '@/lib/ownership/mutations'
import { markRemediationDone, requestRemediation } from '@/lib/remediation/mutations'
import { createIdentitySchema } from '@/lib/inventory/schemas'
import { claimNextJob, drainJobs, runClaimedJob } from '@/lib/jobs/worker'
import { createSubscription, deleteSubscription, redeliver, sendTestEvent, setSubscriptionEnabled } from '@/lib/webhooks/mutations'
import { isPrivateAddress } from '@/lib/webhooks/address'
import { attemptDelivery, guardedLookup } from '@/lib/webhooks/deliver'
import { webhookDeliveriesCleanupScheduler } from '@/lib/webhooks/jobs'
import { listDeliveries, listSubscriptions } from '@/lib/webhooks/queries'
import { WEBHOOK_MAX_ATTEMPTS, type WebhookEvent } from '@/lib/webhooks/schemas'
import { verifyWebhook } from '@/lib/webhooks/signature'
import { addIdentity, createOrg, uid } from './fixtures'

// The receiver listens on loopback, which the SSRF guard refuses unless private addresses are allowed.
vi.hoisted(() => {
  process.env.CUSTODIAN_WEBHOOKS_ALLOW_PRIVATE = 'true'
})

type Org = Awaited<ReturnType<typeof createOrg>>
type Received = { path: string; headers: IncomingMessage['headers']; body: string }

/** A real HTTP receiver: answers each request with the next status queued for its path (200 when none is). */
class Receiver {
  server!: Server
  received: Received[] = []
  /** per path, the statuses to answer next */
  statuses = new Map<string, number[]>()
  async start() {
    this.server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body })
        res.statusCode = this.statuses.get(req.url ?? '')?.shift() ?? 200
        res.end('ok')
      })
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
  }
  url(path: string) {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`
  }
  at(path: string) {
    return this.received.filter((r) => r.path === path)
  }
  stop() {
    return new Promise((r) => this.server.close(r))
  }
}

const receiver = new Receiver()
let a: Org
let b: Org

/** Runs every due delivery attempt (as if `ahead` ms had passed, to skip the backoff), only webhook jobs. */
async function deliverDue(ahead = 0) {
  const worker = uid('whw-')
  for (let i = 0; i < 100; i++) {
    const job = await claimNextJob(worker, new Date(Date.now() + ahead), ['deliver_webhook'])
    if (!job) return
    await runClaimedJob(job, worker)
  }
}

const identity = (name = uid('svc-')) => createIdentitySchema.parse({ name, kind: 'service_account', environment: 'production' })
const subscribe = (org: Org, path: string, events: WebhookEvent[]) => createSubscription(org.ctx('admin'), { url: receiver.url(path), events })
const verified = (secret: string, r: Received) =>
  verifyWebhook(
    secret,
    { id: r.headers['webhook-id'] as string, timestamp: r.headers['webhook-timestamp'] as string, signature: r.headers['webhook-signature'] as string },
    r.body,
  )

beforeAll(async () => {
  await receiver.start()
  a = await createOrg('Webhooks A')
  b = await createOrg('Webhooks B')
})
afterAll(() => receiver.stop())

describe('webhook subscriptions', () => {
  it('creates one for admins only, shows the secret once, keeps it sealed and out of the audit log', async () => {
    for (const role of ['governance', 'member', 'auditor'] as const)
      await expect(createSubscription(a.ctx(role), { url: receiver.url('/refused'), events: ['identity.created'] })).rejects.toBeInstanceOf(ForbiddenError)
    const s = await subscribe(a, '/created', ['identity.created'])
    expect(s.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    const row = await db.webhookSubscription.findUniqueOrThrow({ where: { id: s.id } })
    expect(JSON.stringify(row)).not.toContain(s.secret)
    expect(JSON.stringify(row)).not.toContain(s.secret.slice(6))
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'webhook.create', targetId: s.id } })
    expect(audit.actorId).toBe(a.people.admin.id)
    expect(JSON.stringify(audit)).not.toContain(s.secret.slice(6))
    expect((await listSubscriptions(a.ctx('admin'))).map((x) => x.id)).toContain(s.id)
    await expect(listSubscriptions(a.ctx('governance'))).rejects.toBeInstanceOf(ForbiddenError)
  })

  it('refuses URLs that are not http(s) and unknown events', async () => {
    await expect(createSubscription(a.ctx('admin'), { url: 'ftp://example.com/x', events: ['identity.created'] })).rejects.toBeInstanceOf(ValidationError)
  })

  it('delivers an event emitted in the change’s transaction, signed by the documented scheme; org B never receives A’s events', async () => {
    const sa = await subscribe(a, '/a-identities', ['identity.created', 'identity.deleted'])
    const sb = await subscribe(b, '/b-identities', ['identity.created', 'identity.deleted'])
    const created = await createIdentity(a.ctx('admin'), identity())
    await deleteIdentity(a.ctx('admin'), created.id)
    await deliverDue()
    const got = receiver.at('/a-identities')
    expect(got.map((r) => JSON.parse(r.body).type)).toEqual(['identity.created', 'identity.deleted'])
    for (const r of got) {
      expect(verified(sa.secret, r)).toBe(true)
      expect(verified(sb.secret, r)).toBe(false)
      const body = JSON.parse(r.body)
      expect(body).toMatchObject({ orgId: a.org.id, data: { identity: { id: created.id } } })
      expect(r.headers['webhook-id']).toBe(body.id)
      expect(r.headers['content-type']).toBe('application/json')
    }
    // A tampered body or an old timestamp does not verify.
    expect(
      verifyWebhook(
        sa.secret,
        {
          id: got[0].headers['webhook-id'] as string,
          timestamp: got[0].headers['webhook-timestamp'] as string,
          signature: got[0].headers['webhook-signature'] as string,
        },
        got[0].body + ' ',
      ),
    ).toBe(false)
    expect(
      verifyWebhook(
        sa.secret,
        {
          id: got[0].headers['webhook-id'] as string,
          timestamp: got[0].headers['webhook-timestamp'] as string,
          signature: got[0].headers['webhook-signature'] as string,
        },
        got[0].body,
        { now: new Date(Date.now() + 600_000) },
      ),
    ).toBe(false)
    expect(receiver.at('/b-identities')).toHaveLength(0)
    const log = await listDeliveries(a.ctx('admin'), sa.id)
    expect(log.rows.map((d) => [d.status, d.lastStatusCode, d.attempts])).toEqual([
      ['delivered', 200, 1],
      ['delivered', 200, 1],
    ])
    expect(log.rows.every((d) => d.lastDurationMs !== null && d.lastDurationMs >= 0)).toBe(true)
    // Another organization's subscription is not found, for reading and for every change.
    await expect(listDeliveries(b.ctx('admin'), sa.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(setSubscriptionEnabled(b.ctx('admin'), sa.id, false)).rejects.toBeInstanceOf(NotFoundError)
    await expect(deleteSubscription(b.ctx('admin'), sa.id)).rejects.toBeInstanceOf(NotFoundError)
    await expect(redeliver(b.ctx('admin'), log.rows[0].id)).rejects.toBeInstanceOf(NotFoundError)
    await setSubscriptionEnabled(a.ctx('admin'), sa.id, false)
    await setSubscriptionEnabled(b.ctx('admin'), sb.id, false)
  })

  it('retries with backoff: 500, 500, then 200 is delivered on the third attempt', async () => {
    const s = await subscribe(a, '/flaky', ['identity.created'])
    receiver.statuses.set('/flaky', [500, 500])
    await createIdentity(a.ctx('admin'), identity())
    await deliverDue()
    let [d] = (await listDeliveries(a.ctx('admin'), s.id)).rows
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 })
    expect(d.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 20_000)
    // Not due yet: nothing is sent until the backoff has passed.
    await deliverDue()
    expect(receiver.at('/flaky')).toHaveLength(1)
    await deliverDue(60_000)
    ;[d] = (await listDeliveries(a.ctx('admin'), s.id)).rows
    expect(d).toMatchObject({ status: 'pending', attempts: 2, lastStatusCode: 500 })
    await deliverDue(10 * 60_000)
    ;[d] = (await listDeliveries(a.ctx('admin'), s.id)).rows
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null })
    const got = receiver.at('/flaky')
    expect(got).toHaveLength(3)
    // One event: the same id on every attempt, each signed anew.
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1)
    expect(got.every((r) => verified(s.secret, r))).toBe(true)
    await setSubscriptionEnabled(a.ctx('admin'), s.id, false)
  })

  it('fails after the last attempt, then a redelivery sends the same event again', async () => {
    const s = await subscribe(a, '/down', ['identity.created'])
    receiver.statuses.set('/down', Array(WEBHOOK_MAX_ATTEMPTS).fill(503))
    await createIdentity(a.ctx('admin'), identity())
    for (let i = 0; i < WEBHOOK_MAX_ATTEMPTS; i++) await deliverDue(10 * 3_600_000)
    const [failed] = (await listDeliveries(a.ctx('admin'), s.id)).rows
    expect(failed).toMatchObject({ status: 'failed', attempts: WEBHOOK_MAX_ATTEMPTS, lastStatusCode: 503, nextAttemptAt: null })
    expect(failed.lastError).toContain('503')
    expect(receiver.at('/down')).toHaveLength(WEBHOOK_MAX_ATTEMPTS)
    await expect(redeliver(a.ctx('governance'), failed.id)).rejects.toBeInstanceOf(ForbiddenError)
    const again = await redeliver(a.ctx('admin'), failed.id)
    await deliverDue()
    const rows = (await listDeliveries(a.ctx('admin'), s.id)).rows
    expect(rows.find((r) => r.id === again.deliveryId)).toMatchObject({ status: 'delivered', attempts: 1, redeliveryOfId: failed.id, eventId: failed.eventId })
    expect(rows.find((r) => r.id === failed.id)!.status).toBe('failed')
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'webhook.redeliver', targetId: s.id } })
    expect(JSON.parse(audit.details)).toMatchObject({ deliveryId: failed.id, newDeliveryId: again.deliveryId })
    await setSubscriptionEnabled(a.ctx('admin'), s.id, false)
  })

  it('sends a test event, skips disabled subscriptions, and deletes with audit', async () => {
    const s = await subscribe(a, '/test', ['campaign.closed'])
    const t = await sendTestEvent(a.ctx('admin'), s.id)
    await deliverDue()
    const [r] = receiver.at('/test')
    expect(JSON.parse(r.body)).toMatchObject({ type: 'webhook.test', orgId: a.org.id })
    expect(verified(s.secret, r)).toBe(true)
    expect((await listDeliveries(a.ctx('admin'), s.id)).rows[0]).toMatchObject({ id: t.deliveryId, status: 'delivered' })

    const off = await subscribe(a, '/off', ['identity.created'])
    await setSubscriptionEnabled(a.ctx('admin'), off.id, false)
    await createIdentity(a.ctx('admin'), identity())
    await deliverDue()
    expect(receiver.at('/off')).toHaveLength(0)
    expect((await listDeliveries(a.ctx('admin'), off.id)).total).toBe(0)
    await expect(sendTestEvent(a.ctx('admin'), off.id)).rejects.toBeInstanceOf(ValidationError)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'webhook.disable', targetId: off.id } })).toBe(1)

    await deleteSubscription(a.ctx('admin'), s.id)
    expect(await db.webhookDelivery.count({ where: { subscriptionId: s.id } })).toBe(0)
    expect(await db.auditEvent.count({ where: { orgId: a.org.id, action: 'webhook.delete', targetId: s.id } })).toBe(1)
  })

  it('emits finding.opened and finding.resolved for the findings a change settles', async () => {
    const s = await subscribe(a, '/findings', ['finding.opened', 'finding.resolved'])
    const created = await createIdentity(a.ctx('admin'), identity())
    await deliverDue()
    const opened = receiver.at('/findings').map((r) => JSON.parse(r.body))
    expect(opened.length).toBeGreaterThan(0)
    expect(opened.every((e) => e.type === 'finding.opened' && e.data.identity.id === created.id)).toBe(true)
    const unowned = opened.find((e) => e.data.finding.owaspCode === 'NHI1')
    expect(unowned).toBeTruthy()
    await updateIdentity(a.ctx('admin'), created.id, { ownerId: a.people.admin.id })
    await deliverDue()
    const resolved = receiver
      .at('/findings')
      .map((r) => JSON.parse(r.body))
      .filter((e) => e.type === 'finding.resolved')
    expect(resolved.map((e) => e.data.finding.id)).toContain(unowned.data.finding.id)
    expect(receiver.at('/findings').every((r) => verified(s.secret, r))).toBe(true)
    await setSubscriptionEnabled(a.ctx('admin'), s.id, false)
  })

  it('an owner assigned to an identity whose owner left sends finding.resolved for the "owner left" finding', async () => {
    const s = await subscribe(a, '/owner-left', ['finding.resolved'])
    const i = await addIdentity(a.org.id, a.source.id, { name: uid('left-'), ownerId: null })
    const left = await db.finding.create({
      data: { orgId: a.org.id, identityId: i.id, rule: 'owner-left', owaspCode: 'NHI1', severity: 'high', title: 'Owner left' },
    })
    await assignOwner(a.ctx('governance'), { identityIds: [i.id], fields: { ownerId: a.people.member.id } })
    expect(await db.finding.findUniqueOrThrow({ where: { id: left.id } })).toMatchObject({ status: 'resolved' })
    await deliverDue()
    const resolved = receiver.at('/owner-left').map((r) => JSON.parse(r.body))
    expect(resolved.map((e) => [e.type, e.data.finding.id, e.data.finding.rule])).toContainEqual(['finding.resolved', left.id, 'owner-left'])
    await setSubscriptionEnabled(a.ctx('admin'), s.id, false)
  })

  it('emits campaign.launched, decision.made and campaign.closed from the campaign’s jobs and the reviewer’s decision', async () => {
    const c = await createOrg('Webhooks C')
    const s = await subscribe(c, '/campaign', ['campaign.launched', 'decision.made', 'campaign.closed'])
    await addIdentity(c.org.id, c.source.id, { name: 'owned-one', ownerId: c.people.member.id })
    const r = await createCampaign(
      c.ctx('governance'),
      campaignInputSchema.parse({
        orgSlug: c.org.slug,
        name: 'Quarterly review',
        type: 'identity',
        scope: {},
        fallbackReviewerId: c.people.governance.id,
        dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
        launch: true,
      }),
    )
    await drainJobs()
    const [item] = await db.reviewItem.findMany({ where: { campaignId: r.campaign.id } })
    await decideItem(c.ctx('member'), { orgSlug: c.org.slug, itemId: item.id, version: 0, decision: 'keep', justification: null })
    await requestClose(c.ctx('governance'), r.campaign.id)
    await drainJobs()
    await deliverDue()
    const events = receiver.at('/campaign').map((x) => JSON.parse(x.body))
    expect(events.map((e) => e.type)).toEqual(['campaign.launched', 'decision.made', 'campaign.closed'])
    expect(events[0].data).toMatchObject({ campaign: { id: r.campaign.id, name: 'Quarterly review' }, items: 1 })
    expect(events[1].data).toMatchObject({ reviewItemId: item.id, decision: 'keep', decidedBy: { id: c.people.member.id } })
    expect(events[2].data).toMatchObject({ campaign: { id: r.campaign.id } })
    expect(receiver.at('/campaign').every((x) => verified(s.secret, x))).toBe(true)
  })

  it('emits token.leaked with the token’s public prefix only when secret scanning reports a Custodian token', async () => {
    const s = await subscribe(a, '/leaks', ['token.leaked'])
    const t = await createApiToken(a.ctx('admin'), { name: 'Leaky CI', scopes: ['identities:read'], expiresInDays: 30, allowedIps: [] })
    const [verdict] = await handleLeakReport([{ token: t.token, type: 'custodian_api_token', url: 'https://github.com/acme/app/blob/main/.env' }])
    expect(verdict.label).toBe('true_positive')
    await deliverDue()
    const [r] = receiver.at('/leaks')
    expect(JSON.parse(r.body)).toMatchObject({
      type: 'token.leaked',
      data: { token: { name: 'Leaky CI' }, url: 'https://github.com/acme/app/blob/main/.env', revoked: true },
    })
    expect(r.body).not.toContain(t.token)
    expect(await db.webhookDelivery.count({ where: { payload: { contains: t.token } } })).toBe(0)
    expect(verified(s.secret, r)).toBe(true)
    await setSubscriptionEnabled(a.ctx('admin'), s.id, false)
  })

  it('SSRF guard: refuses loopback by address and by a name that resolves to it, when private addresses are not allowed', async () => {
    const refused = await attemptDelivery(receiver.url('/ssrf'), 'whsec_AAAA', 'evt_1', '{}', { allowPrivate: false })
    expect(refused).toMatchObject({ ok: false, retryable: false, statusCode: null })
    expect(refused.error).toMatch(/private/)
    for (const all of [false, true]) {
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', { all }, (e) => resolve(e)))
      expect(err?.code).toBe('EWEBHOOKPRIVATE')
    }
    // Through a real connection: a name (not "localhost") that resolves to loopback on this machine is refused at
    // connect time, so the agent really resolves through the guard (skipped where the host name is not loopback).
    const host = hostname()
    const address = await lookup(host).catch(() => null)
    if (address && isPrivateAddress(address.address)) {
      const byName = await attemptDelivery(receiver.url('/ssrf').replace('127.0.0.1', host), 'whsec_AAAA', 'evt_1', '{}', { allowPrivate: false })
      expect(byName).toMatchObject({ ok: false, retryable: false })
      expect(byName.error).toMatch(/private address/)
    }
    expect(receiver.at('/ssrf')).toHaveLength(0)
  })

  it('keeps the delivery log 30 days, and never drops a delivery still pending', async () => {
    const s = await subscribe(a, '/old', ['identity.created'])
    const old = new Date(Date.now() - 31 * 86_400_000)
    const row = (status: string) => ({
      orgId: a.org.id,
      subscriptionId: s.id,
      eventId: uid('evt_'),
      eventType: 'identity.created',
      payload: '{}',
      status,
      createdAt: old,
    })
    await db.webhookDelivery.createMany({ data: [row('delivered'), row('failed'), row('pending'), { ...row('delivered'), createdAt: new Date() }] })
    await webhookDeliveriesCleanupScheduler.run(new Date())
    expect((await db.webhookDelivery.findMany({ where: { subscriptionId: s.id }, orderBy: { createdAt: 'asc' } })).map((d) => d.status)).toEqual([
      'pending',
      'delivered',
    ])
    await setSubscriptionEnabled(a.ctx('admin'), s.id, false)
  })

  it('emits remediation.failed when a remediation fails for good, and remediation.applied when a person marks a task done', async () => {
    const d = await createOrg('Webhooks D')
    const s = await subscribe(d, '/remediation', ['remediation.applied', 'remediation.failed'])
    const broken = await db.source.create({ data: { orgId: d.org.id, name: uid('pg-'), type: 'postgresql', config: '{}', secretRef: 'WEBHOOK_TEST_NOT_SET' } })
    const lost = await addIdentity(d.org.id, broken.id, { name: 'lost-host' })
    const failing = await requestRemediation(d.ctx('admin'), { kind: 'disable_identity', identityId: lost.id, justification: 'compromised host' })
    const manualSource = await db.source.create({ data: { orgId: d.org.id, name: uid('csv-'), type: 'csv', config: '{}' } })
    const handled = await addIdentity(d.org.id, manualSource.id, { name: 'by-hand' })
    const manual = await requestRemediation(d.ctx('admin'), { kind: 'disable_identity', identityId: handled.id, justification: 'no longer used' })
    await drainJobs()
    expect(await db.remediation.findUniqueOrThrow({ where: { id: manual.remediation.id } })).toMatchObject({ status: 'manual' })
    await markRemediationDone(d.ctx('admin'), { remediationId: manual.remediation.id, note: 'disabled in the console' })
    await deliverDue()
    const events = receiver.at('/remediation').map((x) => JSON.parse(x.body))
    expect(events.map((e) => [e.type, e.data.identity.id])).toEqual([
      ['remediation.failed', lost.id],
      ['remediation.applied', handled.id],
    ])
    expect(events[0].data.remediation).toMatchObject({ id: failing.remediation.id, kind: 'disable_identity' })
    expect(events[0].data.error).toContain('WEBHOOK_TEST_NOT_SET')
    expect(events[1].data.remediation).toMatchObject({ id: manual.remediation.id, byHand: true })
    expect(receiver.at('/remediation').every((x) => verified(s.secret, x))).toBe(true)
  })

  it('writes nothing when the change rolls back', async () => {
    const s = await subscribe(a, '/rollback', ['identity.created'])
    const before = await db.webhookDelivery.count({ where: { subscriptionId: s.id } })
    const input = identity()
    await createIdentity(a.ctx('admin'), { ...input, externalId: 'dup-ext' })
    await expect(createIdentity(a.ctx('admin'), { ...input, externalId: 'dup-ext' })).rejects.toThrow()
    expect(await db.webhookDelivery.count({ where: { subscriptionId: s.id } })).toBe(before + 1)
  })
})
