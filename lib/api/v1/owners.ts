import 'server-only'
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { id } from '@/lib/api/v1/common'
import { identityListQuery } from '@/lib/api/v1/identities'
import { accepted, startedOperation } from '@/lib/api/v1/jobs'
import { assignOwner, startBulkAssignByFilter } from '@/lib/ownership/mutations'
import { MAX_SELECTION, ownershipFieldsSchema } from '@/lib/ownership/schemas'

const fieldsOf = ({ ownerId, backupOwnerId, teamId }: z.infer<typeof ownershipFieldsSchema>) => ({ ownerId, backupOwnerId, teamId })

export const assignOwnersBody = ownershipFieldsSchema
  .extend({
    identityIds: z
      .array(id)
      .min(1)
      .max(MAX_SELECTION)
      .meta({ description: `The identities to change (at most ${MAX_SELECTION}).` }),
  })
  .strict()
  .meta({ id: 'OwnerAssignment', description: 'Each of ownerId, backupOwnerId and teamId: an id sets it, `null` clears it, absent leaves it.' })

export const assignOwnersOp = defineOperation({
  operationId: 'assignOwners',
  method: 'post',
  path: '/owners/assign',
  summary: 'Assign an owner, backup owner or team to identities',
  tag: 'Owners',
  scope: 'owners:write',
  body: assignOwnersBody,
  success: {
    status: 200,
    description: 'Done: how many identities were named and how many changed.',
    schema: z.object({ selected: z.number().int(), changed: z.number().int() }).meta({ id: 'OwnerAssignmentResult' }),
  },
  problems: [404],
  run: ({ ctx, body }) => assignOwner(ctx, { identityIds: body.identityIds, fields: fieldsOf(body) }),
})

/** The inventory's filters, as the identity list takes them. */
export const identityFilter = identityListQuery.omit({ sort: true, dir: true, limit: true, cursor: true }).meta({ id: 'IdentityFilter' })

export const assignOwnersByFilterBody = ownershipFieldsSchema
  .extend({ filter: identityFilter.meta({ description: 'Every identity matching these filters (as GET /identities takes them) at the time of the call.' }) })
  .strict()
  .meta({ id: 'OwnerAssignmentByFilter' })

export const assignOwnersByFilterOp = defineOperation({
  operationId: 'assignOwnersByFilter',
  method: 'post',
  path: '/owners/assign-by-filter',
  summary: 'Assign an owner, backup owner or team to every identity matching a filter (asynchronous)',
  tag: 'Owners',
  scope: 'owners:write',
  body: assignOwnersByFilterBody,
  success: accepted('The assignment runs in batches; each changed identity gets its own audit row.'),
  problems: [],
  run: async ({ ctx, body }) => {
    const raw = Object.fromEntries(Object.entries(body.filter).filter((e): e is [string, string] => typeof e[1] === 'string'))
    const { jobId } = await startBulkAssignByFilter(ctx, { filter: raw, fields: fieldsOf(body), requestId: randomUUID() })
    return startedOperation(ctx, jobId)
  },
})
