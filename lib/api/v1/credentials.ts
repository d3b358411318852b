import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { cursor, dateTime, defineListOperation, id, iso, limit } from '@/lib/api/v1/common'
import { remediationOperation } from '@/lib/api/v1/jobs'
import { listCredentials } from '@/lib/inventory/access'

const CREDENTIAL_STATUSES = ['active', 'inactive', 'revoked'] as const

export const credentialListQuery = z.strictObject({
  identityId: id.optional().meta({ description: 'Credentials of one identity.' }),
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/)
    .optional()
    .meta({ description: 'The kind of secret: access_key, token, password, certificate, ssh_key, client_secret.' }),
  status: z.enum(CREDENTIAL_STATUSES).optional(),
  limit,
  cursor,
})

export const credentialSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    label: z.string().nullable(),
    externalId: z.string().nullable().meta({ description: 'The source’s id for the credential (never the secret).' }),
    status: z.enum(CREDENTIAL_STATUSES),
    createdAt: dateTime,
    lastRotatedAt: dateTime.nullable(),
    expiresAt: dateTime.nullable(),
    lastUsedAt: dateTime.nullable(),
    usageReported: z.boolean(),
    identity: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: 'Credential' })

type Row = Awaited<ReturnType<typeof listCredentials>>[number]
function credentialDto(r: Row): z.infer<typeof credentialSchema> {
  return {
    id: r.id,
    type: r.kind,
    label: r.label,
    externalId: r.externalId,
    status: r.status as z.infer<typeof credentialSchema>['status'],
    createdAt: r.createdAt.toISOString(),
    lastRotatedAt: iso(r.lastRotatedAt),
    expiresAt: iso(r.expiresAt),
    lastUsedAt: iso(r.lastUsedAt),
    usageReported: r.usageReported,
    identity: r.identity,
  }
}

export const listCredentialsOp = defineListOperation({
  operationId: 'listCredentials',
  path: '/credentials',
  summary: 'List credentials (newest first, cursor pagination)',
  tag: 'Credentials',
  scope: 'credentials:read',
  query: credentialListQuery,
  item: credentialSchema,
  pageName: 'CredentialPage',
  description: 'A page of credentials.',
  run: ({ ctx, query }) =>
    offsetPaged(query, (f, page, size) => listCredentials(ctx, { identityId: f.identityId, kind: f.type, status: f.status, page, size }), credentialDto),
})

export const rotateCredentialOp = remediationOperation({
  operationId: 'rotateCredential',
  path: '/credentials/{id}/rotate',
  summary: 'Rotate a credential at its source (asynchronous)',
  tag: 'Credentials',
  scope: 'credentials:write',
  kind: 'rotate_credential',
  what: 'rotation',
})
