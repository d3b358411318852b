'use server'
import { orgAction } from '@/lib/action'
import { ValidationError } from '@/lib/errors'
import { createProvider, createRule, deleteProvider, deleteRule, updateProvider, updateRule } from '@/lib/federation/mutations'
import { testToken } from '@/lib/federation/queries'
import {
  conditionOf,
  createProviderSchema,
  deleteProviderSchema,
  deleteRuleSchema,
  githubRuleSchema,
  kubernetesRuleSchema,
  providerStatusSchema,
  ruleFormSchema,
  ruleStatusSchema,
  testTokenSchema,
  type RuleFormInput,
} from '@/lib/federation/schemas'

const blank = (s: string | undefined) => (s?.trim() ? s.trim() : undefined)

/** The form's condition for its mode, each builder field checked by the builder's own schema. */
function formCondition(input: RuleFormInput): string {
  const parsed =
    input.mode === 'github'
      ? githubRuleSchema.safeParse({
          repositoryId: input.repositoryId?.trim() ?? '',
          repositoryOwnerId: blank(input.repositoryOwnerId),
          ref: blank(input.ref),
          environment: blank(input.environment),
        })
      : input.mode === 'kubernetes'
        ? kubernetesRuleSchema.safeParse({ namespace: input.namespace?.trim() ?? '', serviceAccount: input.serviceAccount?.trim() ?? '' })
        : null
  if (parsed && !parsed.success) {
    const fieldErrors: Record<string, string[]> = {}
    for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0])] ??= []).push(issue.message)
    throw new ValidationError('Some fields need attention.', fieldErrors)
  }
  const condition = input.mode === 'cedar' ? blank(input.condition) : undefined
  if (input.mode === 'cedar' && !condition) throw new ValidationError('Write a condition.', { condition: ['Write a condition over context.claims.'] })
  return conditionOf(
    input.mode === 'github' ? { github: parsed!.data as never } : input.mode === 'kubernetes' ? { kubernetes: parsed!.data as never } : { condition },
  )!
}

export const createProviderAction = orgAction({
  schema: createProviderSchema,
  permission: 'source:manage',
  revalidate: '/federation',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...body } = input
    const p = await createProvider(ctx, body)
    return { id: p.id }
  },
})

export const setProviderStatusAction = orgAction({
  schema: providerStatusSchema,
  permission: 'source:manage',
  revalidate: (input) => ['/federation', `/federation/${input.providerId}`],
  run: async ({ ctx, input }) => {
    await updateProvider(ctx, { providerId: input.providerId, status: input.status })
  },
})

export const deleteProviderAction = orgAction({
  schema: deleteProviderSchema,
  permission: 'source:manage',
  revalidate: '/federation',
  run: async ({ ctx, input }) => deleteProvider(ctx, { providerId: input.providerId }),
})

export const createRuleAction = orgAction({
  schema: ruleFormSchema,
  permission: 'source:manage',
  revalidate: (input) => `/federation/${input.providerId}`,
  run: async ({ ctx, input }) => {
    const condition = formCondition(input)
    const row = await createRule(ctx, {
      providerId: input.providerId,
      name: input.name,
      identityId: input.identityId,
      condition,
      scopes: input.scopes,
      audiences: input.audiences,
      maxTtlSeconds: input.maxTtlSeconds,
      status: input.status,
    })
    return { id: row.id, condition }
  },
})

export const setRuleStatusAction = orgAction({
  schema: ruleStatusSchema,
  permission: 'source:manage',
  revalidate: '/federation',
  run: async ({ ctx, input }) => {
    await updateRule(ctx, { ruleId: input.ruleId, status: input.status })
  },
})

export const deleteRuleAction = orgAction({
  schema: deleteRuleSchema,
  permission: 'source:manage',
  revalidate: '/federation',
  run: async ({ ctx, input }) => deleteRule(ctx, { ruleId: input.ruleId }),
})

/** "Test a token": reads only, stores and issues nothing. */
export const testTokenAction = orgAction({
  schema: testTokenSchema,
  permission: 'source:read',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...body } = input
    return testToken(ctx, body)
  },
})
