import 'server-only'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { dateTime, id } from '@/lib/api/v1/common'
import { ValidationError } from '@/lib/errors'
import { createProvider, createRule } from '@/lib/federation/mutations'
import { getRuleOrThrow, listProviders, testToken, type ProviderDto, type RuleDto } from '@/lib/federation/queries'
import { conditionOf, githubRuleSchema, kubernetesRuleSchema, providerFields, ruleFields } from '@/lib/federation/schemas'

const ruleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    identity: z.object({ id: z.string(), name: z.string(), status: z.string() }),
    condition: z.string().meta({ description: 'A Cedar condition over `context.claims`.' }),
    scopes: z.array(z.string()),
    audiences: z.array(z.string()),
    maxTtlSeconds: z.number().int(),
    status: z.string(),
  })
  .meta({ id: 'TrustRule' })

const providerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    issuer: z.string(),
    audiences: z.array(z.string()),
    jwksUri: z.string().nullable(),
    preset: z.string(),
    status: z.string(),
    createdAt: dateTime,
    rules: z.array(ruleSchema),
  })
  .meta({ id: 'TrustProvider' })

const ruleDto = (r: RuleDto): z.infer<typeof ruleSchema> => r
const providerDto = (p: ProviderDto): z.infer<typeof providerSchema> => ({ ...p, createdAt: p.createdAt.toISOString(), rules: p.rules.map(ruleDto) })

const read = { tag: 'Federation', scope: 'federation:read' as const }
const write = { tag: 'Federation', scope: 'federation:write' as const }

export const listTrustProvidersOp = defineOperation({
  ...read,
  operationId: 'listTrustProviders',
  method: 'get',
  path: '/federation/providers',
  summary: 'List the organization’s trust providers (OIDC issuers) with their rules',
  query: z.strictObject({}),
  success: {
    status: 200,
    description: 'Every trust provider, oldest first.',
    schema: z.object({ data: z.array(providerSchema) }).meta({ id: 'TrustProviderList' }),
  },
  problems: [400],
  run: async ({ ctx }) => ({ data: (await listProviders(ctx)).map(providerDto) }),
})

export const createTrustProviderOp = defineOperation({
  ...write,
  operationId: 'createTrustProvider',
  method: 'post',
  path: '/federation/providers',
  summary: 'Trust an OpenID Connect issuer’s tokens for the token exchange',
  body: z
    .strictObject({
      ...providerFields,
      audiences: providerFields.audiences.meta({
        description: 'Audiences a subject token must carry (one of them); each is unique per issuer across organizations. Recommended: `<app URL>/<org slug>`.',
      }),
      jwksUri: providerFields.jwksUri.meta({
        description: 'Where the issuer’s keys are; left out: found through `<issuer>/.well-known/openid-configuration`.',
      }),
    })
    .meta({ id: 'TrustProviderCreate' }),
  success: { status: 201, description: 'The provider.', schema: providerSchema },
  problems: [409],
  run: async ({ ctx, body }) => {
    const row = await createProvider(ctx, body)
    return providerDto((await listProviders(ctx)).find((p) => p.id === row.id)!)
  },
})

export const createTrustRuleOp = defineOperation({
  ...write,
  operationId: 'createTrustRule',
  method: 'post',
  path: '/federation/providers/{id}/rules',
  summary: 'Map a provider’s tokens to one identity with a Cedar condition over their claims',
  params: z.object({ id }),
  body: z
    .strictObject({
      ...ruleFields,
      condition: ruleFields.condition.optional().meta({ description: 'A Cedar condition over `context.claims`; or give `github` or `kubernetes` instead.' }),
      github: githubRuleSchema
        .strict()
        .optional()
        .meta({ description: 'GitHub Actions: the condition is written from the immutable repository (and owner) id, ref and environment.' }),
      kubernetes: kubernetesRuleSchema
        .strict()
        .optional()
        .meta({ description: 'Kubernetes: the condition is written for one service account of a namespace.' }),
    })
    .meta({ id: 'TrustRuleCreate' }),
  success: { status: 201, description: 'The rule.', schema: ruleSchema },
  problems: [404, 409],
  run: async ({ ctx, params, body }) => {
    const { github, kubernetes, condition, ...rest } = body
    const cond = conditionOf({ condition, github, kubernetes })
    if (cond === null)
      throw new ValidationError('Give one of condition, github or kubernetes.', { condition: ['Give one of condition, github or kubernetes.'] })
    const row = await createRule(ctx, { ...rest, providerId: params.id, condition: cond })
    const { providerId: _, ...rule } = await getRuleOrThrow(ctx, row.id)
    return ruleDto(rule)
  },
})

export const testTrustTokenOp = defineOperation({
  ...read,
  operationId: 'testTrustToken',
  method: 'post',
  path: '/federation/test',
  summary: 'Which trust rules match a token (or its claims), and why; issues nothing',
  body: z
    .strictObject({
      providerId: id.optional().meta({ description: 'The provider; left out: the one whose issuer (and audience) the token names.' }),
      token: z.string().trim().max(20_000).optional().meta({ description: 'A JWT; its signature and validity are reported, not required.' }),
      claims: z.record(z.string(), z.unknown()).optional().meta({ description: 'Or the claims alone.' }),
    })
    .meta({ id: 'TrustTokenTest' }),
  success: {
    status: 200,
    description: 'Each rule’s verdict, and what the exchange would do.',
    schema: z
      .object({
        provider: z.object({ id: z.string(), name: z.string(), issuer: z.string() }),
        verification: z.object({ ok: z.boolean(), detail: z.string() }).nullable(),
        rules: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            identity: z.object({ id: z.string(), name: z.string() }),
            result: z.enum(['matched', 'not-matched', 'error']),
            error: z.string().optional(),
          }),
        ),
        outcome: z.object({ kind: z.enum(['one-match', 'no-match', 'ambiguous']), ruleId: z.string().optional(), ruleIds: z.array(z.string()).optional() }),
      })
      .meta({ id: 'TrustTokenTestResult' }),
  },
  problems: [404],
  run: async ({ ctx, body }) => {
    if (!body.token === !body.claims) throw new ValidationError('Give either a token or its claims.', { token: ['Give either a token or its claims.'] })
    return testToken(ctx, body)
  },
})
