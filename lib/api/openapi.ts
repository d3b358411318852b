import 'server-only'
import { z } from 'zod'
import { createDocument, type ZodOpenApiHeadersObject, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi'
import { API_SCOPES } from '@/lib/api-tokens/schemas'
import { PROBLEM_TITLES, problemSchema } from '@/lib/api/problem'
import { API_VERSION, MAX_BODY_BYTES } from '@/lib/api/route'
import { OPERATIONS } from '@/lib/api/v1/operations'
import { leakReportSchema, MAX_REPORTED } from '@/lib/api-tokens/leaks'

const text = { type: 'string' as const }
const integer = { type: 'integer' as const, minimum: 0 }

const commonHeaders = {
  'X-Request-Id': { description: 'This call’s id, also in the server log and the audit row.', schema: text },
  'API-Version': { description: 'The API version that answered.', schema: text },
}

/** Sent on every answer to an authenticated call: the limit (token or organization) closest to running out. */
const rateLimitHeaders = {
  'RateLimit-Limit': {
    description: 'Calls allowed in the current window by the limit closest to running out (the token’s or the organization’s).',
    schema: integer,
  },
  'RateLimit-Remaining': { description: 'Calls left in the current window under that limit.', schema: integer },
  'RateLimit-Reset': { description: 'Seconds until the window ends and the counts start again.', schema: integer },
}

const problemResponse = (status: number, headers?: ZodOpenApiHeadersObject) => ({
  description: PROBLEM_TITLES[status],
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: problemSchema } },
})

/** What a problem status means for a POST/PATCH sent with an Idempotency-Key, besides its usual meaning. */
const IDEMPOTENCY_PROBLEMS: Record<number, string> = {
  409: 'Conflict (also: a request with the same Idempotency-Key is still running)',
  422: 'Unprocessable content (also: the Idempotency-Key was used with a different request)',
}

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x20-\x7e]+$/)
    .optional()
    .meta({
      description:
        'Makes a retry safe: a repeated request with the same key (per token, for 24 hours) gets the first response back, marked `Idempotency-Replayed: true`, without acting twice. The same key with a different method, path or body is refused (422); a repeat while the first is still running gets 409. A UUID is a good key.',
      example: '4f1c8e52-0d7b-4a7e-9a55-2b1f4c1c7a10',
    }),
})

const problemHeaders = (status: number) =>
  status === 401
    ? undefined
    : status === 429
      ? { ...rateLimitHeaders, 'Retry-After': { description: 'Seconds to wait before calling again.', schema: integer } }
      : rateLimitHeaders

/** The one path not called with an API token: the secret scanner's signed intake (app/api/v1/secret-scanning/report). */
export const SECRET_SCANNING_PATH = '/secret-scanning/report'

function secretScanningOperation(): ZodOpenApiOperationObject {
  const signatureHeaders = z.object({
    'Github-Public-Key-Identifier': z
      .string()
      .meta({ description: 'The scanner key that signed the body (must match CUSTODIAN_SECRET_SCANNER_KEY_ID when set).' }),
    'Github-Public-Key-Signature': z.string().meta({ description: 'Base64 DER ECDSA P-256 signature (SHA-256) of the exact body bytes.' }),
  })
  return {
    operationId: 'reportLeakedTokens',
    summary: 'Report leaked tokens (secret scanning partner intake)',
    description: [
      `GitHub secret scanning’s partner program posts what it found: a JSON array of \`{ token, type, url, source }\` (at most ${MAX_REPORTED}). The body must be signed by the scanner key configured in \`CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY\` (an ECDSA P-256 public key, PEM); unsigned or badly signed reports are refused with 401, and so is every report when no key is configured.`,
      '',
      'Each reported string that is a Custodian API token is revoked at once (its current or rotated secret), the revocation audited in its organization as the system (never the token itself), its creator notified, and an NHI2 (secret leakage) finding raised on the token’s identity when it has one.',
      '',
      'Every string is also checked against the governed credentials of every organization by its salted fingerprint: a match raises an NHI2 finding on the credential’s identity, notifies its owner, emits `credential.leaked`, and, as the organization chose (notify only, rotate, revoke), asks its source’s connector to rotate or revoke it. The string itself is never stored or logged.',
      '',
      'The answer labels each string `true_positive` (a Custodian token or a governed secret) or `false_positive`.',
    ].join('\n'),
    tags: ['Secret scanning'],
    security: [],
    requestParams: { header: signatureHeaders },
    requestBody: { required: true, content: { 'application/json': { schema: leakReportSchema.meta({ id: 'LeakReport' }) } } },
    responses: {
      '200': {
        description: 'One verdict per reported string, in order.',
        headers: { 'X-Request-Id': commonHeaders['X-Request-Id'] },
        content: {
          'application/json': {
            schema: z
              .array(z.object({ token_raw: z.string(), token_type: z.string(), label: z.enum(['true_positive', 'false_positive']) }))
              .meta({ id: 'LeakVerdicts' }),
          },
        },
      },
      ...Object.fromEntries([400, 401, 413, 422, 500].map((st) => [String(st), problemResponse(st)])),
    },
  }
}

/** The OpenAPI 3.1 document of /api/v1, built from the same zod schemas the handlers parse with. */
export function openApiDocument(serverUrl = '/api/v1') {
  const paths: ZodOpenApiPathsObject = {}
  for (const op of OPERATIONS) {
    const idempotent = (op.method === 'post' || op.method === 'patch') && !op.ndjson
    const problems = [
      ...new Set([401, 403, 429, ...op.problems, ...(op.body || op.ndjson ? [400, 413, 415, 422] : []), ...(idempotent ? [400, 409, 422] : [])]),
    ].sort()
    const requestParams = {
      ...(op.params ? { path: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(idempotent ? { header: idempotencyHeader } : {}),
    }
    const operation: ZodOpenApiOperationObject = {
      operationId: op.operationId,
      summary: op.summary,
      description: `Needs the scope \`${op.scope}\`.`,
      tags: [op.tag],
      security: [{ bearer: [op.scope] }],
      'x-required-scope': op.scope,
      ...(Object.keys(requestParams).length ? { requestParams } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      ...(op.ndjson
        ? { requestBody: { required: true, description: op.ndjson.description, content: { 'application/x-ndjson': { schema: op.ndjson.line } } } }
        : {}),
      responses: {
        [String(op.success.status)]: {
          description: op.success.description,
          headers: {
            ...commonHeaders,
            ...rateLimitHeaders,
            ...(op.success.location ? { Location: { description: 'Where to follow the operation this started.', schema: text } } : {}),
            ...Object.fromEntries(Object.entries(op.success.file?.headers ?? {}).map(([h, description]) => [h, { description, schema: text }])),
            ...(idempotent
              ? {
                  'Idempotency-Replayed': {
                    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.',
                    schema: text,
                  },
                }
              : {}),
          },
          ...(op.success.file
            ? { content: Object.fromEntries(op.success.file.mediaTypes.map((m) => [m, { schema: { type: 'string' as const, format: 'binary' } }])) }
            : op.success.schema
              ? { content: { 'application/json': { schema: op.success.schema } } }
              : {}),
        },
        ...Object.fromEntries(
          problems.map((s) => [
            String(s),
            { ...problemResponse(s, problemHeaders(s)), ...(idempotent && IDEMPOTENCY_PROBLEMS[s] ? { description: IDEMPOTENCY_PROBLEMS[s] } : {}) },
          ]),
        ),
        '500': problemResponse(500),
      },
    }
    paths[op.path] = { ...paths[op.path], [op.method]: operation }
  }
  paths[SECRET_SCANNING_PATH] = { post: secretScanningOperation() }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Custodian API',
      version: API_VERSION,
      description: [
        'Govern non-human identities from pipelines and scripts.',
        '',
        'Authenticate with an API token created in Settings → API tokens: `Authorization: Bearer cust_…`. Each operation names the scope it needs.',
        'Errors are RFC 9457 `application/problem+json` with a `requestId`. Lists are paged with an opaque `cursor` (`nextCursor` of the previous page).',
        `Request bodies are JSON, at most ${MAX_BODY_BYTES} bytes; unknown fields are refused.`,
        '',
        'Retries: every POST and PATCH accepts an `Idempotency-Key` header (1–255 printable characters, e.g. a UUID). A retry with the same key and the same request within 24 hours gets the first response again (`Idempotency-Replayed: true`) and changes nothing; the same key with a different request is refused with 422, and a retry while the first is still running gets 409. Keys are per token. Requests refused before they ran (bad input, 429) and failures on our side (5xx) do not use up the key.',
        '',
        'Rate limits: calls are counted per token and per organization (all its tokens together) in fixed windows (by default 600 calls a minute per token and 3,000 per organization). Every answer to an authenticated call carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) for the limit closest to running out; a call over a limit gets 429 with `Retry-After` (seconds).',
        '',
        'Versioning: the version is in the path (`/api/v1`) and in the `API-Version` response header. Within v1, changes only add (new operations, new optional parameters, new response fields). A removal or incompatible change ships as v2, and v1 keeps working for at least six months after v2 is released, with a `Deprecation` header and a `Sunset` date announced on its responses.',
      ].join('\n'),
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [
      ...[...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name, description: `${name} of your organization.` })),
      { name: 'Secret scanning', description: 'Reports of leaked tokens from a secret scanner, verified by its signature.' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'cust_…',
          description: `An API token. Scopes: ${API_SCOPES.join(', ')}.`,
        },
      },
    },
  })
}
