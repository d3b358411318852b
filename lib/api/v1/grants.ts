import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { cursor, dateTime, defineListOperation, id, iso, limit } from '@/lib/api/v1/common'
import { remediationOperation } from '@/lib/api/v1/jobs'
import { listGrants } from '@/lib/inventory/access'

const GRANT_STATUSES = ['active', 'revoked'] as const

export const grantListQuery = z.strictObject({
  identityId: id.optional().meta({ description: 'Grants of one identity.' }),
  resourceId: id.optional().meta({ description: 'Grants on one resource.' }),
  privileged: z.enum(['yes', 'no']).optional(),
  status: z.enum(GRANT_STATUSES).optional(),
  limit,
  cursor,
})

export const grantSchema = z
  .object({
    id: z.string(),
    privileged: z.boolean(),
    status: z.enum(GRANT_STATUSES),
    createdAt: dateTime,
    lastUsedAt: dateTime.nullable(),
    revokedAt: dateTime.nullable(),
    usageReported: z.boolean(),
    identity: z.object({ id: z.string(), name: z.string() }),
    entitlement: z.object({ id: z.string(), name: z.string() }),
    resource: z.object({ id: z.string(), name: z.string(), type: z.string() }),
  })
  .meta({ id: 'Grant' })

type Row = Awaited<ReturnType<typeof listGrants>>[number]
function grantDto(r: Row): z.infer<typeof grantSchema> {
  return {
    id: r.id,
    privileged: r.privileged,
    status: r.status as z.infer<typeof grantSchema>['status'],
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: iso(r.lastUsedAt),
    revokedAt: iso(r.revokedAt),
    usageReported: r.usageReported,
    identity: r.identity,
    entitlement: { id: r.entitlement.id, name: r.entitlement.name },
    resource: r.entitlement.resource,
  }
}

export const listGrantsOp = defineListOperation({
  operationId: 'listGrants',
  path: '/grants',
  summary: 'List grants (privileged first, cursor pagination)',
  tag: 'Grants',
  scope: 'grants:read',
  query: grantListQuery,
  item: grantSchema,
  pageName: 'GrantPage',
  description: 'A page of grants.',
  run: ({ ctx, query }) =>
    offsetPaged(
      query,
      (f, page, size) =>
        listGrants(ctx, {
          identityId: f.identityId,
          resourceId: f.resourceId,
          privileged: f.privileged === undefined ? undefined : f.privileged === 'yes',
          status: f.status,
          page,
          size,
        }),
      grantDto,
    ),
})

export const revokeGrantOp = remediationOperation({
  operationId: 'revokeGrant',
  path: '/grants/{id}/revoke',
  summary: 'Revoke a grant at its source (asynchronous)',
  tag: 'Grants',
  scope: 'grants:write',
  kind: 'revoke_grant',
  what: 'revocation',
})
