import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POST } from '@/app/api/v1/secret-scanning/report/route'
import { authenticate } from '@/lib/api/authenticate'
import { setApiLogDestination } from '@/lib/api/log'
import { newToken } from '@/lib/api-tokens/format'
import { LEAKED_TOKEN_RULE, scannerKey } from '@/lib/api-tokens/leaks'
import { createApiToken } from '@/lib/api-tokens/mutations'
import { db } from '@/lib/db'
import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { SECRET_SCANNING_PATH } from '@/lib/api/openapi'
import { doc } from './api-client'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
let a: Org
let scanner: { privateKey: KeyObject; publicKey: KeyObject }
let stranger: { privateKey: KeyObject }
const original = scannerKey.get

setApiLogDestination(new Writable({ write: (_chunk, _enc, cb) => cb() }))
afterAll(() => {
  setApiLogDestination(undefined)
  scannerKey.get = original
})

const KEY_ID = 'bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c'

function report(body: string, opts: { key?: KeyObject | null; keyId?: string; signed?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const key = opts.key === undefined ? scanner.privateKey : opts.key
  if (key) {
    headers['github-public-key-identifier'] = opts.keyId ?? KEY_ID
    headers['github-public-key-signature'] = sign('sha256', Buffer.from(opts.signed ?? body), key).toString('base64')
  }
  return POST(new Request('http://localhost/api/v1/secret-scanning/report', { method: 'POST', headers, body }))
}

const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
/** The answer is as the document says (the path is outside OPERATIONS: it is signed by the scanner, not called with a token). */
function documented(status: number, contentType: string | null, body: unknown) {
  const spec = (doc.paths[SECRET_SCANNING_PATH].post.responses[String(status)] as { content: Record<string, { schema: object }> }).content
  const schema = spec[contentType?.split(';')[0] ?? '']?.schema
  expect(schema, `${status} ${contentType} documented`).toBeDefined()
  const check = ajv.compile({ ...schema, components: doc.components })
  expect(check(body), ajv.errorsText(check.errors)).toBe(true)
}

beforeAll(async () => {
  a = await createOrg('Leak intake A')
  scanner = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  scannerKey.get = () => ({ publicKeyPem: scanner.publicKey.export({ type: 'spki', format: 'pem' }).toString(), keyId: KEY_ID })
})

describe(`POST /secret-scanning/report (${engine})`, () => {
  it('refuses unsigned, wrongly signed, unknown-key and unconfigured reports (401) and revokes nothing', async () => {
    const t = await createApiToken(a.ctx('admin'), { name: uid('leak-'), scopes: ['identities:read'], expiresInDays: 30, allowedIps: [] })
    const body = JSON.stringify([{ token: t.token, type: 'custodian_api_token', url: 'https://github.com/x/y', source: 'content' }])
    for (const r of [
      await report(body, { key: null }),
      await report(body, { key: stranger.privateKey }),
      await report(body, { keyId: 'another-key' }),
      // a signature of another body: the report was changed on the way
      await report(body.replace('content', 'commit'), { signed: body }),
    ]) {
      expect(r.status).toBe(401)
      documented(401, r.headers.get('content-type'), await r.json())
    }
    const unsigned = await POST(
      new Request('http://localhost/api/v1/secret-scanning/report', {
        method: 'POST',
        headers: { 'github-public-key-identifier': KEY_ID, 'github-public-key-signature': 'bm90IGEgc2lnbmF0dXJl' },
        body,
      }),
    )
    expect(unsigned.status).toBe(401)
    const configured = scannerKey.get
    scannerKey.get = () => null
    try {
      expect((await report(body)).status).toBe(401)
    } finally {
      scannerKey.get = configured
    }
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })).revokedAt).toBeNull()
    // Signed but not the partner shape: 422; not JSON: 400.
    expect((await report(JSON.stringify({ token: t.token }))).status).toBe(422)
    expect((await report('[{')).status).toBe(400)
  })

  it('revokes each reported Custodian token at once, notifies its creator, raises NHI2 on its identity, and labels every string', async () => {
    const agent = await addIdentity(a.org.id, a.source.id, { name: uid('agent-') })
    const bound = await createApiToken(a.ctx('admin'), { name: uid('gw-'), scopes: ['identities:read'], expiresInDays: 30, allowedIps: [] })
    await db.apiToken.update({ where: { id: bound.id }, data: { identityId: agent.id } })
    const plain = await createApiToken(a.ctx('admin'), { name: uid('ci-'), scopes: ['identities:read'], expiresInDays: 30, allowedIps: [] })
    const unknown = newToken().token
    const entries = [
      { token: bound.token, type: 'custodian_api_token', url: 'https://github.com/acme/app/blob/main/.env', source: 'content' },
      { token: plain.token, type: 'custodian_api_token', url: 'https://gist.github.com/x', source: 'gist' },
      { token: unknown, type: 'custodian_api_token', url: 'https://github.com/acme/app', source: 'content' },
      { token: 'ghp_notacustodiantoken', type: 'custodian_api_token', url: 'https://github.com/acme/app', source: 'content' },
    ]
    const r = await report(JSON.stringify(entries))
    expect(r.status).toBe(200)
    const verdicts = await r.json()
    documented(200, r.headers.get('content-type'), verdicts)
    expect(verdicts).toEqual([
      { token_raw: bound.token, token_type: 'custodian_api_token', label: 'true_positive' },
      { token_raw: plain.token, token_type: 'custodian_api_token', label: 'true_positive' },
      { token_raw: unknown, token_type: 'custodian_api_token', label: 'false_positive' },
      { token_raw: 'ghp_notacustodiantoken', token_type: 'custodian_api_token', label: 'false_positive' },
    ])
    for (const t of [bound, plain]) {
      expect((await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })).revokedAt).not.toBeNull()
      await expect(authenticate(`Bearer ${t.token}`, null, 'req-leak-test')).rejects.toMatchObject({ status: 401 })
    }
    const audits = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'api-token.leaked' }, orderBy: { seq: 'asc' } })
    expect(audits.map((e) => [e.targetId, e.actorType])).toEqual([
      [bound.id, 'system'],
      [plain.id, 'system'],
    ])
    expect(JSON.parse(audits[0].details)).toMatchObject({ url: entries[0].url, source: 'content', revoked: true, secret: 'current' })
    const finding = await db.finding.findUniqueOrThrow({ where: { identityId_rule: { identityId: agent.id, rule: LEAKED_TOKEN_RULE } } })
    expect(finding).toMatchObject({ orgId: a.org.id, owaspCode: 'NHI2', severity: 'critical', status: 'open' })
    expect(await db.finding.count({ where: { rule: LEAKED_TOKEN_RULE, orgId: a.org.id } })).toBe(1)
    const notes = await db.notification.findMany({ where: { orgId: a.org.id, userId: a.people.admin.id, kind: 'token.leaked' } })
    expect(notes).toHaveLength(2)
    // The plaintext is in none of it.
    const everything = JSON.stringify([audits, notes, finding, await db.auditEvent.findMany({ where: { orgId: a.org.id } })])
    for (const t of [bound.token, plain.token]) expect(everything).not.toContain(t.slice(13))

    // Reported again: still a true positive, nothing revoked twice.
    const again = await report(JSON.stringify(entries.slice(1, 2)))
    expect(await again.json()).toEqual([expect.objectContaining({ label: 'true_positive' })])
    const last = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: 'api-token.leaked', targetId: plain.id }, orderBy: { seq: 'desc' } })
    expect(JSON.parse(last.details)).toMatchObject({ revoked: false })
  })
})
