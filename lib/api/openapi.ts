import 'server-only'
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi'
import { API_SCOPES } from '@/lib/api-tokens/schemas'
import { PROBLEM_TITLES, problemSchema } from '@/lib/api/problem'
import { API_VERSION, MAX_BODY_BYTES } from '@/lib/api/route'
import { OPERATIONS } from '@/lib/api/v1/operations'

const problemResponse = (status: number) => ({
  description: PROBLEM_TITLES[status],
  content: { 'application/problem+json': { schema: problemSchema } },
})

const commonHeaders = {
  'X-Request-Id': { description: 'This call’s id, also in the server log and the audit row.', schema: { type: 'string' as const } },
  'API-Version': { description: 'The API version that answered.', schema: { type: 'string' as const } },
}

/** The OpenAPI 3.1 document of /api/v1, built from the same zod schemas the handlers parse with. */
export function openApiDocument(serverUrl = '/api/v1') {
  const paths: ZodOpenApiPathsObject = {}
  for (const op of OPERATIONS) {
    const problems = [...new Set([401, 403, ...op.problems, ...(op.body ? [400, 413, 415, 422] : [])])].sort()
    const operation: ZodOpenApiOperationObject = {
      operationId: op.operationId,
      summary: op.summary,
      description: `Needs the scope \`${op.scope}\`.`,
      tags: [op.tag],
      security: [{ bearer: [op.scope] }],
      'x-required-scope': op.scope,
      ...(op.params || op.query ? { requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) } } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: {
        [String(op.success.status)]: {
          description: op.success.description,
          headers: op.success.location
            ? { ...commonHeaders, Location: { description: 'Where to follow the operation this started.', schema: { type: 'string' as const } } }
            : commonHeaders,
          ...(op.success.schema ? { content: { 'application/json': { schema: op.success.schema } } } : {}),
        },
        ...Object.fromEntries(problems.map((s) => [String(s), problemResponse(s)])),
        '500': problemResponse(500),
      },
    }
    paths[op.path] = { ...paths[op.path], [op.method]: operation }
  }
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
        'Versioning: the version is in the path (`/api/v1`) and in the `API-Version` response header. Within v1, changes only add (new operations, new optional parameters, new response fields). A removal or incompatible change ships as v2, and v1 keeps working for at least six months after v2 is released, with a `Deprecation` header and a `Sunset` date announced on its responses.',
      ].join('\n'),
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name, description: `${name} of your organization.` })),
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
