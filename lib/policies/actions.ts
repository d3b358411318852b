'use server'
import { orgAction } from '@/lib/action'
import { savePolicies } from '@/lib/policies/mutations'
import { simulatePolicies } from '@/lib/policies/queries'
import { importPoliciesSchema, savePoliciesSchema, simulateSchema } from '@/lib/policies/schemas'

export const savePoliciesAction = orgAction({
  schema: savePoliciesSchema,
  permission: 'source:manage',
  revalidate: '/policies',
  run: async ({ ctx, input }) => savePolicies(ctx, { text: input.text, summary: input.summary, baseVersion: input.baseVersion, source: 'editor' }),
})

export const importPoliciesAction = orgAction({
  schema: importPoliciesSchema,
  permission: 'source:manage',
  revalidate: '/policies',
  run: async ({ ctx, input }) => savePolicies(ctx, { text: input.text, source: 'import', fileName: input.fileName }),
})

export const simulatePoliciesAction = orgAction({
  schema: simulateSchema,
  permission: 'source:read',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...req } = input
    const r = await simulatePolicies(ctx, req)
    return { decision: r.decision, policies: r.policies, errors: r.errors, version: r.version, request: r.request }
  },
})
