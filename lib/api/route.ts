import 'server-only'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { recordDenied } from '@/lib/audit/record'
import { AppError, mapPrismaError, ValidationError } from '@/lib/errors'
import { authenticate, clientIp, type TokenCtx } from '@/lib/api/authenticate'
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  idempotencyKeyOf,
  releaseIdempotencyKey,
  requestHash,
  type ClaimedKey,
  type StoredResponse,
} from '@/lib/api/idempotency'
import { apiLog } from '@/lib/api/log'
import type { Operation } from '@/lib/api/operation'
import { ApiProblem, issuesOf, problem, problemBody } from '@/lib/api/problem'
import { consumeRateLimit, rateLimitHeaders } from '@/lib/api/rate-limit'
import { errorFields } from '@/lib/log'
import { decidePolicy } from '@/lib/policies/current'
import { apiCallRequest } from '@/lib/policies/request'
import { metrics } from '@/lib/telemetry/metrics'
import type { Download } from '@/lib/route'
import { withinBoundIdentity } from '@/lib/api/bound'

export const API_VERSION = '1'
/** Largest request body accepted (bigger ones get 413 before they are parsed). */
export const MAX_BODY_BYTES = 1_000_000
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/

/** The caller's X-Request-Id when it is a sensible id (8–64 of A–Z a–z 0–9 . _ : -), else a new one. */
export function requestIdOf(headers: Headers): string {
  const incoming = headers.get('x-request-id')
  return incoming && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`
}

/** Counts one answered call of the web app: by route template (never the raw path), method and status. */
export function countHttp(route: string, method: string, status: number, seconds: number) {
  const m = metrics()
  m.httpRequests.inc({ route, method, status: String(status) })
  m.httpDuration.observe({ route, method }, seconds)
}

const JSON_TYPE = /^application\/(?:[a-z0-9.+-]*\+)?json\s*(?:;.*)?$/i

/**
 * The body's bytes, at most `max` (default MAX_BODY_BYTES): a larger one is refused (`tooLarge`, by default a 413)
 * before it is all read, whatever its Content-Length claimed (a chunked body has none).
 */
export async function readBytes(
  req: Request,
  max = MAX_BODY_BYTES,
  tooLarge: () => Error = () => problem(413, `The body is larger than ${max} bytes.`),
): Promise<Buffer> {
  if (Number(req.headers.get('content-length') ?? '0') > max) throw tooLarge()
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = req.body?.getReader()
  while (reader) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

const NDJSON_TYPE = /^application\/(?:x-ndjson|jsonl|x-jsonlines)\s*(?:;.*)?$/i

/** The longest NDJSON line read (a longer one stops the stream with 413: no line of an identity is near this). */
export const MAX_NDJSON_LINE_BYTES = 1_000_000

/**
 * An NDJSON body as its lines, read as they arrive (never the whole body in memory), at most `max` bytes and lines of
 * at most MAX_NDJSON_LINE_BYTES (either over stops with 413 where it went over: what was applied before stays applied,
 * and audited). The lines come in batches, those each chunk of the body completes: one awaited step per line costs, in
 * the production server (whose async context tracks every promise), about as much as reading the line.
 */
export async function* ndjsonLines(req: Request, max: number): AsyncGenerator<string[]> {
  const reader = req.body?.getReader()
  if (!reader) return
  const decoder = new TextDecoder()
  let size = 0
  let rest = ''
  const tooLong = async () => {
    await reader.cancel()
    return problem(413, `A line is longer than ${MAX_NDJSON_LINE_BYTES} bytes; batches committed before it stay applied (and audited).`)
  }
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel()
      throw problem(413, `The body is larger than ${max} bytes; batches committed before it stay applied (and audited).`)
    }
    // Only the new text is searched for line ends: a long line costs its length once, not once per chunk.
    const chunk = decoder.decode(value, { stream: true })
    const lines: string[] = []
    let from = 0
    let nl: number
    while ((nl = chunk.indexOf('\n', from)) >= 0) {
      const line = rest + chunk.slice(from, nl)
      if (line.length > MAX_NDJSON_LINE_BYTES) throw await tooLong()
      rest = ''
      from = nl + 1
      lines.push(line)
    }
    rest += chunk.slice(from)
    if (rest.length > MAX_NDJSON_LINE_BYTES) throw await tooLong()
    if (lines.length) yield lines
  }
  rest += decoder.decode()
  if (rest.length > MAX_NDJSON_LINE_BYTES)
    throw problem(413, `A line is longer than ${MAX_NDJSON_LINE_BYTES} bytes; batches committed before it stay applied (and audited).`)
  if (rest.length) yield [rest]
}

/** The body's text, at most MAX_BODY_BYTES, after its content type is checked. */
export async function readBody(req: Request): Promise<string> {
  if (!JSON_TYPE.test(req.headers.get('content-type') ?? '')) throw problem(415, 'Send the body as JSON with `Content-Type: application/json`.')
  return (await readBytes(req)).toString('utf8')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw problem(400, 'The body is not valid JSON.')
  }
}

/** Query parameters as an object; a parameter given twice is refused rather than silently picking one. */
function queryOf(url: URL): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of url.searchParams) {
    if (k in out)
      throw problem(400, `The parameter “${k}” is given more than once; separate several values with commas.`, [{ path: k, message: 'Given twice.' }])
    out[k] = v
  }
  return out
}

function parseWith<S extends z.ZodType>(schema: S | undefined, value: unknown, status: number, what: string): z.infer<S> {
  if (!schema) return {} as z.infer<S>
  const r = schema.safeParse(value)
  if (!r.success) throw problem(status, `Some ${what} need attention.`, issuesOf(r.error))
  return r.data
}

/** A file operation's answer: the stream as it is, an attachment never sniffed, with the headers the operation adds. */
function fileAnswer(status: number, d: Download & { headers?: Record<string, string> }) {
  return {
    status,
    body: null,
    stream: d.body,
    headers: {
      'Content-Type': d.contentType,
      'Content-Disposition': `attachment; filename="${d.filename}"`,
      ...(d.size !== undefined ? { 'Content-Length': String(d.size) } : {}),
      'X-Content-Type-Options': 'nosniff',
      ...d.headers,
    },
  }
}

function toProblem(err: unknown): ApiProblem | null {
  if (err instanceof ApiProblem) return err
  const mapped = mapPrismaError(err)
  if (mapped instanceof ValidationError) {
    return problem(
      422,
      mapped.message,
      Object.entries(mapped.fieldErrors).flatMap(([path, msgs]) => msgs.map((message) => ({ path, message }))),
    )
  }
  if (mapped instanceof AppError) return problem(mapped.status, mapped.message)
  return null
}

/**
 * The one wrapper every /api/v1 route handler uses, like orgAction for actions: request id -> token (format,
 * checksum, hash, expiry, revocation, address) -> rate limit -> scope (refusals audited) -> path, query, body (strict)
 * -> Idempotency-Key (POST/PATCH) -> run -> errors as problem+json. Nothing a caller sends gets a 500; a 500 means a
 * fault of ours, logged with the request id.
 */
export function apiRoute(op: Operation) {
  const idempotent = (op.method === 'post' || op.method === 'patch') && !op.ndjson
  return async (req: Request, segment: { params: Promise<unknown> }): Promise<Response> => {
    const t0 = performance.now()
    const requestId = requestIdOf(req.headers)
    const url = new URL(req.url)
    const ip = clientIp(req.headers)
    let ctx: TokenCtx | null = null
    let limits: Record<string, string> = {}
    let claim: ClaimedKey | null = null
    let out: StoredResponse & { replayed?: boolean; stream?: ReadableStream<Uint8Array> }
    try {
      ctx = await authenticate(req.headers.get('authorization'), ip, requestId)
      const rate = await consumeRateLimit({ tokenId: ctx.actor.id, orgId: ctx.org.id })
      limits = rateLimitHeaders(rate)
      if (!rate.allowed) {
        metrics().rateLimited.inc({ component: 'api', scope: rate.scope })
        apiLog().warn(
          { requestId, tokenId: ctx.actor.id, org: ctx.org.id, limitedBy: rate.scope, limit: rate.limit, operation: op.operationId },
          'api rate limited',
        )
        const whose = rate.scope === 'token' ? 'this token' : 'your organization’s tokens together'
        throw problem(429, `Too many requests: ${whose} may make ${rate.limit} calls in ${rate.windowSeconds} s. Retry after ${rate.resetSeconds} s.`)
      }
      if (!ctx.scopes.has(op.scope)) {
        await recordDenied(ctx, {
          action: `api.${op.operationId}`,
          targetType: 'route',
          targetLabel: `${op.method.toUpperCase()} ${op.path}`,
          details: { scope: op.scope },
        })
        throw problem(403, `This token lacks the scope “${op.scope}”.`)
      }
      // A workload's exchanged access token also answers to the organization's Cedar policies (api_call), per call:
      // decided from the compiled set and its per-request-shape cache (lib/policies/current.ts). API tokens (cust_) are
      // not identities: their scopes are the whole answer.
      if (ctx.actor.type === 'workload' && ctx.workload) {
        const verdict = await decidePolicy(
          ctx.org.id,
          apiCallRequest(ctx.workload, { operation: op.operationId, method: op.method.toUpperCase(), scope: op.scope, task: ctx.task ?? null, at: new Date() }),
        )
        if (verdict.decision === 'deny') {
          await recordDenied(ctx, {
            action: `api.${op.operationId}`,
            targetType: 'route',
            targetLabel: `${op.method.toUpperCase()} ${op.path}`,
            details: { reason: 'policy-denied', policies: verdict.policies, policyVersion: verdict.version },
          })
          throw problem(
            403,
            verdict.policies.length && !verdict.errors.length
              ? `The organization’s policy ${verdict.policies.map((p) => `“${p}”`).join(', ')} forbids this call.`
              : 'The organization’s policies could not be evaluated for this call.',
          )
        }
      }
      const key = idempotent ? idempotencyKeyOf(req.headers) : null
      // Stored keys belong to an API token; an exchanged access token is short-lived and has none to keep them under yet.
      if (key && ctx.actor.type === 'workload')
        throw problem(400, 'Idempotency-Key is not supported with exchanged access tokens yet; send the request without it, or use an API token.')
      const parsedParams = op.params ? op.params.safeParse(await segment.params) : { success: true as const, data: {} }
      if (!parsedParams.success) throw problem(404, 'Not found.')
      // A token limited to one identity reaches that identity only (refused, or the target narrowed to it).
      const bound = await withinBoundIdentity(ctx, op, {
        params: parsedParams.data as Record<string, unknown>,
        query: parseWith(op.query, queryOf(url), 400, 'query parameters') as Record<string, unknown>,
      })
      const params = { data: bound.params }
      const query = bound.query
      const text = op.body ? await readBody(req) : ''
      const body = op.body ? parseWith(op.body, parseJson(text), 422, 'fields') : {}
      // Claimed only once the request is valid: a refused request leaves the key free for its corrected retry.
      const claimed = key
        ? await claimIdempotencyKey({ orgId: ctx.org.id, tokenId: ctx.actor.id }, key, requestHash(req.method, url.pathname + url.search, text))
        : null
      if (claimed && 'replay' in claimed) out = { ...claimed.replay, replayed: true }
      else {
        claim = claimed?.claimed ?? null
        // Checked before anything runs: a wrong type or a declared size over the limit changes nothing.
        if (op.ndjson && !NDJSON_TYPE.test(req.headers.get('content-type') ?? ''))
          throw problem(415, 'Send the body as NDJSON (one JSON object per line) with `Content-Type: application/x-ndjson`.')
        if (op.ndjson && Number(req.headers.get('content-length') ?? '0') > op.ndjson.maxBytes)
          throw problem(413, `The body is larger than ${op.ndjson.maxBytes} bytes.`)
        const lines = op.ndjson ? ndjsonLines(req, op.ndjson.maxBytes) : (async function* () {})()
        const result = await op.run({ ctx, params: params.data, query, body, lines })
        out = op.success.file
          ? fileAnswer(op.success.status, result as Download & { headers?: Record<string, string> })
          : op.success.status === 204
            ? { status: 204, body: null, headers: {} }
            : {
                status: op.success.status,
                body: JSON.stringify(result),
                headers: { 'Content-Type': 'application/json', ...(op.success.location ? { Location: op.success.location(result as never) } : {}) },
              }
      }
    } catch (err) {
      const p = toProblem(err)
      if (!p) apiLog().error({ requestId, err: errorFields(err) }, 'api call failed')
      const pr = p ?? problem(500, 'Something went wrong on our side. Nothing was changed; try again.')
      // Object-level refusals (another organization's id) are refused attempts too, as in orgAction and orgRoute.
      if (ctx && !(err instanceof ApiProblem) && (pr.status === 403 || pr.status === 404)) {
        await recordDenied(ctx, {
          action: `api.${op.operationId}`,
          targetType: 'route',
          targetLabel: `${op.method.toUpperCase()} ${op.path}`,
          details: { status: pr.status, reason: pr.detail },
        })
      }
      out = {
        status: pr.status,
        body: JSON.stringify(problemBody(pr, url.pathname, requestId)),
        headers: { 'Content-Type': 'application/problem+json', ...pr.headers },
      }
    }
    if (claim) {
      // A 5xx changed nothing (its transaction rolled back): the key is freed so the retry runs; anything else is replayed.
      if (out.status >= 500)
        await releaseIdempotencyKey(claim).catch((err: unknown) => apiLog().error({ requestId, err: String(err) }, 'idempotency key not released'))
      else await completeIdempotencyKey(claim, out).catch((err: unknown) => apiLog().error({ requestId, err: String(err) }, 'idempotency response not kept'))
    }
    const response = new Response(out.stream ?? out.body, { status: out.status, headers: out.headers })
    for (const [k, v] of Object.entries(limits)) response.headers.set(k, v)
    if (out.replayed) response.headers.set('Idempotency-Replayed', 'true')
    response.headers.set('X-Request-Id', requestId)
    response.headers.set('API-Version', API_VERSION)
    response.headers.set('Cache-Control', 'no-store')
    const seconds = (performance.now() - t0) / 1000
    countHttp(`/api/v1${op.path}`, req.method, response.status, seconds)
    metrics().apiCalls.inc({ token_kind: ctx?.actor.type ?? 'none', status: String(response.status) })
    apiLog().info(
      {
        requestId,
        method: req.method,
        route: op.path,
        operation: op.operationId,
        status: response.status,
        ms: Math.round(seconds * 1000),
        tokenKind: ctx?.actor.type ?? null,
        tokenId: ctx?.actor.id ?? null,
        org: ctx?.org.id ?? null,
        ip,
        ...(out.replayed ? { replayed: true } : {}),
      },
      'api call',
    )
    return response
  }
}
