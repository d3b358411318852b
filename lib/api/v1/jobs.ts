import 'server-only'
import { z } from 'zod'
import { defineOperation, type Operation } from '@/lib/api/operation'
import { dateTime, id, iso } from '@/lib/api/v1/common'
import type { Ctx } from '@/lib/auth/org-context'
import { getJob, getStartedJob, type JobStatusRow } from '@/lib/jobs/queries'
import { JOB_STATUSES } from '@/lib/jobs/schemas'
import { requestRemediationOf } from '@/lib/remediation/mutations'
import { justificationSchema } from '@/lib/remediation/schemas'

export const operationSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({ description: 'What the operation does, e.g. `rotate_credential`, `revoke_grant`, `bulk_assign`.' }),
    status: z.enum(JOB_STATUSES).meta({ description: '`succeeded`, `failed` and `canceled` are final; poll until one of them.' }),
    progress: z.number().int().meta({ description: 'Items done so far (bulk operations).' }),
    total: z.number().int().meta({ description: 'Items to do (0 when the operation does not count items).' }),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    result: z.record(z.string(), z.unknown()).nullable().meta({ description: 'What the operation reported when it finished.' }),
    error: z.string().nullable().meta({ description: 'The last error, while retrying or once failed.' }),
    createdAt: dateTime,
    updatedAt: dateTime,
    finishedAt: dateTime.nullable(),
  })
  .meta({ id: 'Operation' })
export type OperationDto = z.infer<typeof operationSchema>

function operationDto(j: JobStatusRow): OperationDto {
  return {
    id: j.id,
    type: j.type,
    status: j.status as OperationDto['status'],
    progress: j.progress,
    total: j.total,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    result: j.result,
    error: j.lastError,
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    finishedAt: iso(j.finishedAt),
  }
}

/** What every write that starts a job answers: `202 Accepted`, the operation, and where to poll it. */
export const accepted = (description: string) =>
  ({
    status: 202,
    description: `${description} The body is the operation; poll the \`Location\` header (GET /operations/{id}).`,
    schema: operationSchema,
    location: (op: OperationDto) => `/api/v1/operations/${op.id}`,
  }) as const

export async function startedOperation(ctx: Ctx, jobId: string) {
  return operationDto(await getStartedJob(ctx, jobId))
}

/** The body of a rotation or revocation: why, for the audit log (as the browser asks). */
export const remediationBody = z
  .strictObject({ justification: justificationSchema.meta({ description: 'Why; it goes into the audit log.' }) })
  .meta({ id: 'RemediationRequest' })

type RemediationKind = Parameters<typeof requestRemediationOf>[1]['kind']

/**
 * A rotation or revocation of one credential or grant, through the remediation module (the browser's path): pending
 * at once, carried out by a job; asking again while it is pending answers the same operation.
 */
export function remediationOperation(op: Pick<Operation, 'operationId' | 'path' | 'summary' | 'tag' | 'scope'> & { kind: RemediationKind; what: string }) {
  const { kind, what, ...rest } = op
  return defineOperation({
    ...rest,
    method: 'post',
    params: z.object({ id }),
    body: remediationBody,
    success: accepted(`The ${what} is pending; asking again while it is pending answers the same operation.`),
    problems: [404, 409],
    run: async ({ ctx, params, body }) => {
      const { remediation } = await requestRemediationOf(ctx, { kind, targetId: params.id, justification: body.justification })
      if (!remediation.jobId) throw new Error(`Remediation ${remediation.id} has no job`)
      return startedOperation(ctx, remediation.jobId)
    },
  })
}

export const getOperationOp = defineOperation({
  operationId: 'getOperation',
  method: 'get',
  path: '/operations/{id}',
  summary: 'Follow an asynchronous operation (a `202 Accepted` answer’s `Location`)',
  tag: 'Operations',
  scope: 'remediation:read',
  params: z.object({ id }),
  success: { status: 200, description: 'The operation as it is now.', schema: operationSchema },
  problems: [404],
  run: async ({ ctx, params }) => operationDto(await getJob(ctx, params.id)),
})
