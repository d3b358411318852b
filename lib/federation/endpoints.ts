import 'server-only'
import { apiLog } from '@/lib/api/log'
import { countHttp, readBytes, requestIdOf } from '@/lib/api/route'
import { errorFields } from '@/lib/log'
import { db } from '@/lib/db'
import { orgPublicKeys } from '@/lib/keys/org-keys'
import { createPublicKey } from 'node:crypto'
import { exchangeToken, OAuthError } from '@/lib/federation/exchange'
import { endTask } from '@/lib/federation/tasks'
import { MAX_TTL_SECONDS } from '@/lib/federation/schemas'

// The two public endpoints of federation. The token endpoint is not a Bearer-token route: the subject token in the
// form is the credential, and errors are OAuth's (RFC 6749 §5.2), not problem+json.

const MAX_FORM_BYTES = 64_000
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' }

function oauthError(status: number, error: string, description: string, requestId: string): Response {
  return Response.json({ error, error_description: description }, { status, headers: { ...NO_STORE, 'X-Request-Id': requestId } })
}

async function readForm(req: Request): Promise<URLSearchParams> {
  if (!/^application\/x-www-form-urlencoded\s*(;.*)?$/i.test(req.headers.get('content-type') ?? ''))
    throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded (RFC 8693 §2.1).')
  const body = await readBytes(req, MAX_FORM_BYTES, () => new OAuthError('invalid_request', 'The request body is too large.'))
  return new URLSearchParams(body.toString('utf8'))
}

/** POST /api/v1/oauth/token: RFC 8693 token exchange. */
export async function tokenEndpoint(req: Request): Promise<Response> {
  const t0 = performance.now()
  const requestId = requestIdOf(req.headers)
  let status = 200
  let error: string | undefined
  try {
    const result = await exchangeToken(await readForm(req), { requestId })
    return Response.json(result, { headers: { ...NO_STORE, 'X-Request-Id': requestId } })
  } catch (err) {
    if (err instanceof OAuthError) {
      status = 400
      error = err.error
      return oauthError(400, err.error, err.description, requestId)
    }
    status = 500
    apiLog().error({ requestId, err: errorFields(err) }, 'token exchange failed')
    return oauthError(500, 'server_error', 'Something went wrong on our side; try again.', requestId)
  } finally {
    const seconds = (performance.now() - t0) / 1000
    countHttp('/api/v1/oauth/token', 'POST', status, seconds)
    apiLog().info({ requestId, method: 'POST', route: '/oauth/token', status, error, ms: Math.round(seconds * 1000) }, 'token exchange')
  }
}

/**
 * GET /api/v1/oauth/jwks?org=<slug>: the organization's public keys as a JWKS, to verify its access tokens. Retired keys
 * stay listed for the longest token lifetime after retirement, so tokens signed just before a rotation still verify.
 */
export async function jwksEndpoint(req: Request): Promise<Response> {
  const slug = new URL(req.url).searchParams.get('org') ?? ''
  const org = /^[a-z0-9-]{1,64}$/i.test(slug) ? await db.organization.findUnique({ where: { slug }, select: { id: true } }) : null
  if (!org) return Response.json({ error: 'not_found', error_description: 'No organization with this slug.' }, { status: 404, headers: NO_STORE })
  const cutoff = Date.now() - MAX_TTL_SECONDS * 1000
  const keys = (await orgPublicKeys(org.id))
    .filter((k) => !k.retiredAt || k.retiredAt.getTime() > cutoff)
    .map((k) => {
      const jwk = createPublicKey(k.publicKeyPem).export({ format: 'jwk' }) as { kty: string; crv: string; x: string }
      return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: k.kid, alg: 'EdDSA', use: 'sig' }
    })
  return Response.json({ keys }, { headers: { 'Cache-Control': 'public, max-age=300' } })
}

/**
 * POST /api/v1/oauth/revoke: RFC 7009 token revocation for the access tokens the exchange issued — the end-of-task
 * endpoint: the workload (an agent done with its task) sends `token=<its access token>`, and the token stops working
 * at once at the API and at every gateway process. The token itself is the credential (only its holder can end it).
 * As RFC 7009 §2.2 says, the answer is 200 whether or not the token was valid or already ended: nothing is learned.
 */
export async function revokeEndpoint(req: Request): Promise<Response> {
  const t0 = performance.now()
  const requestId = requestIdOf(req.headers)
  let status = 200
  try {
    const form = await readForm(req)
    const token = form.get('token') ?? ''
    const hint = form.get('token_type_hint')
    if (hint && hint !== 'access_token') {
      status = 400
      return oauthError(400, 'unsupported_token_type', 'Only access tokens issued by the token exchange can be revoked here.', requestId)
    }
    const ended = token ? await endTask(token, { requestId }) : null
    apiLog().info({ requestId, method: 'POST', route: '/oauth/revoke', status: 200, ended: ended?.ended ?? false }, 'token revocation')
    return new Response(null, { status: 200, headers: { ...NO_STORE, 'X-Request-Id': requestId } })
  } catch (err) {
    if (err instanceof OAuthError) {
      status = 400
      return oauthError(400, err.error, err.description, requestId)
    }
    status = 500
    apiLog().error({ requestId, err: errorFields(err) }, 'token revocation failed')
    return oauthError(500, 'server_error', 'Something went wrong on our side; try again.', requestId)
  } finally {
    countHttp('/api/v1/oauth/revoke', 'POST', status, (performance.now() - t0) / 1000)
  }
}
