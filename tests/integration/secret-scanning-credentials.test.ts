import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POST } from '@/app/api/v1/secret-scanning/report/route'
import { setApiLogDestination } from '@/lib/api/log'
import { LEAKED_SECRET_RULE } from '@/lib/api-tokens/leaked-credentials'
import { LEAKED_TOKEN_RULE, scannerKey } from '@/lib/api-tokens/leaks'
import { createApiToken } from '@/lib/api-tokens/mutations'
import { fingerprintOf } from '@/lib/connectors/sync'
import { db } from '@/lib/db'
import { updateLeakResponseSetting } from '@/lib/settings/mutations'
import type { LeakResponse } from '@/lib/settings/schemas'
import { createSubscription } from '@/lib/webhooks/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

let scanner: { privateKey: KeyObject; publicKey: KeyObject }
const original = scannerKey.get
const KEY_ID = 'bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c'
// Everything the API logger writes while these tests run: the reported strings must never be in it.
let logged = ''
setApiLogDestination(new Writable({ write: (chunk, _enc, cb) => ((logged += String(chunk)), cb()) }))
afterAll(() => {
  setApiLogDestination(undefined)
  scannerKey.get = original
})

beforeAll(() => {
  scanner = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  scannerKey.get = () => ({ publicKeyPem: scanner.publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: KEY_ID })
})

function report(entries: { token: string; url?: string; source?: string }[]) {
  const body = JSON.stringify(entries.map((e) => ({ type: 'generic_secret', ...e })))
  return POST(
    new Request('http://localhost/api/v1/secret-scanning/report', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'github-public-key-identifier': KEY_ID,
        'github-public-key-signature': sign('sha256', Buffer.from(body), scanner.privateKey).toString('base64'),
      },
      body,
    }),
  )
}

const newSecret = () => `AKIA${randomBytes(8).toString('hex').toUpperCase()}/${randomBytes(20).toString('base64url')}`

/** An organization choosing `response`, with an identity owned by its member holding a credential whose secret is `secret`. */
async function governed(response: LeakResponse, secret: string, source: { type?: string; simulated?: boolean } = {}) {
  const o = await createOrg(`Leak ${response}`)
  if (response !== 'notify') await updateLeakResponseSetting(o.ctx('admin'), { leakResponse: response })
  const src = source.type
    ? await db.source.create({ data: { orgId: o.org.id, name: uid('src-'), type: source.type, config: JSON.stringify({ simulated: !!source.simulated }) } })
    : o.source
  const identity = await addIdentity(o.org.id, src.id, { name: uid('billing-'), ownerId: o.people.member.id })
  const credential = await db.credential.create({
    data: {
      orgId: o.org.id,
      identityId: identity.id,
      kind: 'access_key',
      externalId: uid('key-'),
      label: 'billing key',
      fingerprint: fingerprintOf(secret),
      createdAt: new Date(),
    },
  })
  return { ...o, identity, credential }
}

const findingOf = (identityId: string) => db.finding.findUnique({ where: { identityId_rule: { identityId, rule: LEAKED_SECRET_RULE } } })

/** Every row of the organization that could have kept the string, as text. */
async function everythingOf(orgId: string) {
  return JSON.stringify([
    await db.finding.findMany({ where: { orgId } }),
    await db.auditEvent.findMany({ where: { orgId } }),
    await db.notification.findMany({ where: { orgId } }),
    await db.job.findMany({ where: { orgId } }),
    await db.remediation.findMany({ where: { orgId } }),
    await db.webhookDelivery.findMany({ where: { orgId } }),
    await db.credential.findMany({ where: { orgId } }),
  ])
}

describe(`secret scanning reports of governed credentials (${engine})`, () => {
  it('notify only (the default): an NHI2 finding with where it leaked, the owner told, an event, no change asked for', async () => {
    const secret = newSecret()
    const o = await governed('notify', secret)
    await createSubscription(o.ctx('admin'), { url: 'https://hooks.example.com/in', events: ['credential.leaked'] })
    const url = 'https://github.com/acme/billing/blob/main/.env'
    const r = await report([{ token: secret, url, source: 'content' }])
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual([{ token_raw: secret, token_type: 'generic_secret', label: 'true_positive' }])

    const finding = await findingOf(o.identity.id)
    expect(finding).toMatchObject({ orgId: o.org.id, owaspCode: 'NHI2', severity: 'critical', status: 'open' })
    expect(finding!.detail).toContain(url)
    expect(finding!.detail).toContain('notify only')
    expect((await db.identity.findUniqueOrThrow({ where: { id: o.identity.id } })).openFindings).toBeGreaterThan(0)
    const notes = await db.notification.findMany({ where: { orgId: o.org.id, kind: 'credential.leaked' } })
    expect(notes.map((n) => n.userId)).toEqual([o.people.member.id])
    expect(notes[0].link).toBe(`/${o.org.slug}/identities/${o.identity.id}`)
    expect(await db.remediation.count({ where: { orgId: o.org.id } })).toBe(0)
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: o.org.id, action: 'credential.leaked' } })
    expect(audit).toMatchObject({ actorType: 'system', targetId: o.credential.id })
    expect(JSON.parse(audit.details)).toMatchObject({ url, source: 'content', response: 'notify', repeat: false })
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { orgId: o.org.id, eventType: 'credential.leaked' } })
    expect(JSON.parse(delivery.payload).data).toMatchObject({ identity: { id: o.identity.id }, credential: { id: o.credential.id }, url, response: 'notify' })

    // Reported again: the same finding, no second notice, the evidence grows.
    const again = await report([{ token: secret, url: 'https://gist.github.com/x', source: 'gist' }])
    expect(await again.json()).toEqual([expect.objectContaining({ label: 'true_positive' })])
    expect(await db.finding.count({ where: { orgId: o.org.id, rule: LEAKED_SECRET_RULE } })).toBe(1)
    expect(await db.notification.count({ where: { orgId: o.org.id, kind: 'credential.leaked' } })).toBe(1)
    expect(await db.webhookDelivery.count({ where: { orgId: o.org.id, eventType: 'credential.leaked' } })).toBe(1)
    const audits = await db.auditEvent.findMany({ where: { orgId: o.org.id, action: 'credential.leaked' }, orderBy: { seq: 'asc' } })
    expect(audits.map((a) => JSON.parse(a.details).repeat)).toEqual([false, true])

    expect(await everythingOf(o.org.id)).not.toContain(secret)
    expect(logged).not.toContain(secret)
  })

  it('rotate: the rotation is asked of the source’s connector, as the system, audited', async () => {
    const secret = newSecret()
    const o = await governed('rotate', secret, { type: 'aws', simulated: true })
    expect(await (await report([{ token: secret, url: 'https://github.com/acme/x' }])).json()).toEqual([expect.objectContaining({ label: 'true_positive' })])
    const rem = await db.remediation.findFirstOrThrow({ where: { orgId: o.org.id, credentialId: o.credential.id } })
    expect(rem).toMatchObject({ kind: 'rotate_credential', status: 'pending', requestedById: null, simulated: true })
    const job = await db.job.findUniqueOrThrow({ where: { id: rem.jobId! } })
    expect(job).toMatchObject({ type: 'rotate_credential', status: 'queued', orgId: o.org.id })
    const req = await db.auditEvent.findFirstOrThrow({ where: { orgId: o.org.id, action: 'remediation.request' } })
    expect(req.actorType).toBe('system')
    expect((await findingOf(o.identity.id))!.detail).toContain('rotation was requested')
    // A second report asks for nothing more.
    await report([{ token: secret }])
    expect(await db.remediation.count({ where: { orgId: o.org.id } })).toBe(1)
    expect(await everythingOf(o.org.id)).not.toContain(secret)
  })

  it('revoke on a source without a connector: the revocation waits for a person, and the finding says so', async () => {
    const secret = newSecret()
    const o = await governed('revoke', secret)
    expect(await (await report([{ token: secret, url: 'https://github.com/acme/y' }])).json()).toEqual([expect.objectContaining({ label: 'true_positive' })])
    const rem = await db.remediation.findFirstOrThrow({ where: { orgId: o.org.id, credentialId: o.credential.id } })
    expect(rem).toMatchObject({ kind: 'revoke_credential', status: 'pending', simulated: false })
    expect((await db.job.findUniqueOrThrow({ where: { id: rem.jobId! } })).type).toBe('revoke_credential')
    const finding = await findingOf(o.identity.id)
    expect(finding!.detail).toContain('Manual action needed')
    expect(JSON.parse((await db.auditEvent.findFirstOrThrow({ where: { orgId: o.org.id, action: 'credential.leaked' } })).details)).toMatchObject({
      response: 'revoke',
      manual: true,
      remediationId: rem.id,
    })
  })

  it('an unknown string is a false positive and changes nothing', async () => {
    const before = await db.finding.count({ where: { rule: LEAKED_SECRET_RULE } })
    expect(await (await report([{ token: newSecret() }])).json()).toEqual([expect.objectContaining({ label: 'false_positive' })])
    expect(await db.finding.count({ where: { rule: LEAKED_SECRET_RULE } })).toBe(before)
  })

  it('two organizations holding the same secret each get their own finding, notice and choice', async () => {
    const secret = newSecret()
    const a = await governed('notify', secret)
    const b = await governed('revoke', secret)
    expect(await (await report([{ token: secret }])).json()).toEqual([expect.objectContaining({ label: 'true_positive' })])
    for (const o of [a, b]) {
      expect(await findingOf(o.identity.id)).toMatchObject({ orgId: o.org.id, status: 'open' })
      expect(await db.notification.count({ where: { orgId: o.org.id, kind: 'credential.leaked', userId: o.people.member.id } })).toBe(1)
    }
    expect(await db.remediation.count({ where: { orgId: a.org.id } })).toBe(0)
    expect(await db.remediation.count({ where: { orgId: b.org.id, kind: 'revoke_credential' } })).toBe(1)
  })

  it('a revoked credential, and Custodian’s own tokens, are not governed secrets here', async () => {
    const secret = newSecret()
    const o = await governed('revoke', secret)
    await db.credential.update({ where: { id: o.credential.id }, data: { status: 'revoked' } })
    expect(await (await report([{ token: secret }])).json()).toEqual([expect.objectContaining({ label: 'false_positive' })])
    expect(await findingOf(o.identity.id)).toBeNull()
    // A Custodian token is revoked as a token (its own finding rule), never asked of a connector.
    const t = await createApiToken(o.ctx('admin'), { name: uid('ci-'), scopes: ['identities:read'], expiresInDays: 30, allowedIps: [] })
    expect(await (await report([{ token: t.token }])).json()).toEqual([expect.objectContaining({ label: 'true_positive' })])
    expect(await db.finding.count({ where: { orgId: o.org.id, rule: LEAKED_SECRET_RULE } })).toBe(0)
    expect(await db.remediation.count({ where: { orgId: o.org.id } })).toBe(0)
    expect(await db.finding.count({ where: { orgId: o.org.id, rule: LEAKED_TOKEN_RULE } })).toBe(0)
  })

  it('the setting is admin only and audited', async () => {
    const o = await createOrg('Leak setting')
    await expect(updateLeakResponseSetting(o.ctx('governance'), { leakResponse: 'revoke' })).rejects.toMatchObject({ name: 'ForbiddenError' })
    await updateLeakResponseSetting(o.ctx('admin'), { leakResponse: 'rotate' })
    const row = await db.organization.findUniqueOrThrow({ where: { id: o.org.id } })
    expect(JSON.parse(row.settings)).toMatchObject({ leakResponse: 'rotate' })
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: o.org.id, action: 'settings.update' } })
    expect(JSON.parse(audit.details)).toEqual({ before: { leakResponse: 'notify' }, after: { leakResponse: 'rotate' } })
  })
})
