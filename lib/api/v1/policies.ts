import 'server-only'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { dateTime } from '@/lib/api/v1/common'
import { savePolicies } from '@/lib/policies/mutations'
import { getPolicies, simulatePolicies } from '@/lib/policies/queries'
import { policyFields, simulateBodySchema } from '@/lib/policies/schemas'

const policiesSchema = z
  .object({
    text: z.string().meta({ description: 'The organization’s Cedar policies (empty: none, everything the trust rules allow is allowed).' }),
    version: z.number().int().meta({ description: 'Goes up by one on every change; 0 before the first.' }),
    updatedAt: dateTime.nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'Policies' })

const read = { tag: 'Policies', scope: 'policies:read' as const }

export const getPoliciesOp = defineOperation({
  ...read,
  operationId: 'getPolicies',
  method: 'get',
  path: '/policies',
  summary: 'The organization’s Cedar policies and their version',
  query: z.strictObject({}),
  success: { status: 200, description: 'The current policies.', schema: policiesSchema },
  problems: [400],
  run: async ({ ctx }) => {
    const p = await getPolicies(ctx)
    return { ...p, updatedAt: p.updatedAt?.toISOString() ?? null }
  },
})

export const putPoliciesOp = defineOperation({
  tag: 'Policies',
  scope: 'policies:write',
  operationId: 'putPolicies',
  method: 'put',
  path: '/policies',
  summary: 'Replace the organization’s Cedar policies (validated against Custodian’s schema; saved as a new version, audited with the diff)',
  body: z
    .strictObject({
      text: policyFields.text.meta({ description: 'Cedar policies; an invalid text is refused with the validator’s messages (line and column).' }),
      summary: policyFields.summary.meta({ description: 'A short summary of the change; written from the change when left out.' }),
      baseVersion: policyFields.baseVersion.meta({ description: 'The version this text was edited from: refused with 409 when another change came first.' }),
    })
    .meta({ id: 'PoliciesUpdate' }),
  success: {
    status: 200,
    description: 'The saved version (the same text again changes nothing).',
    schema: z.object({ version: z.number().int(), summary: z.string(), changed: z.boolean() }).meta({ id: 'PoliciesSaved' }),
  },
  problems: [409],
  run: async ({ ctx, body }) => {
    const r = await savePolicies(ctx, { ...body, source: 'api' })
    return { version: r.version, summary: r.summary, changed: r.changed }
  },
})

export const simulatePoliciesOp = defineOperation({
  ...read,
  operationId: 'simulatePolicies',
  method: 'post',
  path: '/policies/simulate',
  summary: 'Decide a request with the organization’s policies, as enforcement would; changes nothing',
  body: simulateBodySchema.meta({ id: 'PolicySimulation' }),
  success: {
    status: 200,
    description: 'The decision and the policies that determined it (the forbids that applied, or the permits).',
    schema: z
      .object({
        decision: z.enum(['allow', 'deny']),
        policies: z.array(z.string()),
        errors: z.array(z.object({ policyId: z.string(), message: z.string() })),
        version: z.number().int(),
        request: z.object({
          action: z.string(),
          principal: z.record(z.string(), z.unknown()),
          resource: z.record(z.string(), z.unknown()),
          context: z.record(z.string(), z.unknown()),
        }),
      })
      .meta({ id: 'PolicyDecision' }),
  },
  problems: [404],
  run: async ({ ctx, body }) => simulatePolicies(ctx, body),
})
