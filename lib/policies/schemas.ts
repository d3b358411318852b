import { z } from 'zod'
import { MAX_POLICY_CHARS } from '@/lib/policies/engine'
import { POLICY_ACTIONS, TOKEN_KINDS } from '@/lib/policies/schema'

// Organization policies (Cedar): saving a version, importing a .cedar file, simulating a request. zod only, no server
// imports: shared by actions, the REST API and forms.

const orgSlug = z.string().min(1).max(64)
const id = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown id.')

export const IDENTITY_KINDS = ['service_account', 'api_key', 'oauth_app', 'bot', 'ci_cd', 'workload', 'ai_agent', 'certificate', 'other'] as const
export const ENVIRONMENTS = ['production', 'staging', 'development', 'test', 'unknown'] as const

export const policyFields = {
  text: z.string().max(MAX_POLICY_CHARS, `Policies are limited to ${MAX_POLICY_CHARS} characters.`),
  summary: z.string().trim().max(200, 'Keep the summary under 200 characters.').optional(),
  /** the version the author edited: a save on top of a newer one is refused instead of overwriting it */
  baseVersion: z.number().int().min(0).optional(),
}

export const savePoliciesSchema = z.object({ orgSlug, ...policyFields })
export type SavePoliciesInput = z.infer<typeof savePoliciesSchema>

export const importPoliciesSchema = z.object({ orgSlug, text: policyFields.text, fileName: z.string().max(200).optional() })

const identityAttrsSchema = z.object({
  kind: z.string().trim().min(1).max(40),
  environment: z.string().trim().min(1).max(40),
  owned: z.boolean(),
  privileged: z.boolean(),
  name: z.string().max(200).default('simulated'),
})

export const simulateFields = {
  action: z.enum(POLICY_ACTIONS),
  /** an identity of the inventory (its attributes as the exchange reads them), or attributes to try */
  identityId: id.optional(),
  identity: identityAttrsSchema.optional(),
  /** `custodian-api` or `gateway:<route id>`, as in a token exchange's audience */
  target: z
    .string()
    .regex(/^(custodian-api|gateway:[a-z0-9_-]{1,40})$/i, 'The target is custodian-api or gateway:<route id>.')
    .default('custodian-api'),
  scopes: z.array(z.string().min(1).max(100)).max(50).default([]),
  ttlSeconds: z.number().int().min(1).max(86_400).default(900),
  task: z.string().max(200).default(''),
  method: z.string().trim().max(10).default('GET'),
  path: z.string().max(500).default('/'),
  operation: z.string().max(100).default(''),
  /** gateway_call: the caller's address, the token's kind, whether the identity has an open unusual-use finding */
  sourceIp: z.union([z.ipv4(), z.ipv6()], { error: 'An IPv4 or IPv6 address, e.g. 10.0.0.7.' }).default('0.0.0.0'),
  tokenKind: z.enum(TOKEN_KINDS).default('gateway_token'),
  unusual: z.boolean().default(false),
  /** api_call: the scope the operation needs */
  scope: z.string().max(100).default(''),
  /** when the request happens: the hour and weekday policies see (UTC); now when left out */
  at: z.coerce.date().optional(),
}
const simulateRefine = <T extends z.ZodType<{ identityId?: string; identity?: unknown }>>(s: T) =>
  s.refine((v) => (v.identityId ? 1 : 0) + (v.identity ? 1 : 0) === 1, { message: 'Choose an identity, or give its attributes.', path: ['identityId'] })

export const simulateSchema = simulateRefine(z.object({ orgSlug, ...simulateFields }))
export type SimulateInput = z.infer<typeof simulateSchema>
export const simulateBodySchema = simulateRefine(z.strictObject(simulateFields))
type Defaulted = 'sourceIp' | 'tokenKind' | 'unusual' | 'scope'
export type SimulateRequest = Omit<SimulateInput, 'orgSlug' | Defaulted> & Partial<Pick<SimulateInput, Defaulted>>
