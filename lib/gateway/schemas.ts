import { principalFields, refinePrincipal } from '@/lib/principals/schemas'
import { z } from 'zod'
import { ENVIRONMENTS } from '@/lib/inventory/schemas'

export const AUTH_KINDS = ['none', 'header', 'oauth2_client_credentials'] as const
export type AuthKind = (typeof AUTH_KINDS)[number]
export const AUTH_KIND_LABELS: Record<AuthKind, string> = {
  none: 'None',
  header: 'Static header (API key or bearer)',
  oauth2_client_credentials: 'OAuth 2.0 client credentials',
}
export const ROUTE_STATUSES = ['active', 'disabled'] as const
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The scope of a gateway token: it calls routes through the gateway as one identity, and nothing in the API. */
export const GATEWAY_CALL_SCOPE = 'gateway:call'

export const LIMITS = {
  connectTimeoutMs: { min: 100, max: 60_000, default: 5_000 },
  timeoutMs: { min: 100, max: 300_000, default: 30_000 },
  maxBodyBytes: { min: 0, max: 1024 ** 3, default: 10 * 1024 ** 2 },
  ratePerSecond: { min: 1, max: 10_000, default: 50 },
  burst: { min: 1, max: 100_000, default: 100 },
} as const

const orgSlug = z.string().min(1).max(64)
const recordId = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, `Unknown ${what}.`)

export const PREFIX_PATTERN = /^(\/[a-z0-9][a-z0-9._~-]*)+$/
const pathPrefix = z
  .string()
  .trim()
  .max(200, 'At most 200 characters.')
  .regex(PREFIX_PATTERN, 'Write the prefix as /segment or /segment/segment: lower-case letters, digits, . _ ~ -, no trailing slash.')

// The upstream is where the gateway sends callers' requests with the injected credential: plain http(s), and no
// credentials in the URL itself, since URLs end up in logs and on screens.
const upstreamUrl = z
  .string()
  .trim()
  .max(2000, 'At most 2,000 characters.')
  .refine((s) => {
    try {
      const u = new URL(s)
      return u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      return false
    }
  }, 'Enter an http:// or https:// URL, like https://api.example.com/v1.')
  .refine((s) => {
    try {
      const u = new URL(s)
      return !u.username && !u.password
    } catch {
      return true
    }
  }, 'Do not put credentials in the URL: name an environment variable in “Secret reference” instead.')
  .refine((s) => !/[?#]/.test(s), 'The upstream base URL cannot carry a query or fragment.')

/** An environment variable NAME: the gateway reads the secret from its own environment, so the value is never stored. */
export const secretRefSchema = z
  .string()
  .trim()
  .max(128, 'At most 128 characters.')
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'Name an environment variable (like PAYMENTS_API_KEY), not the secret itself: upper-case letters, digits and _.')

const headerName = z
  .string()
  .trim()
  .max(100)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'Enter a header name, like Authorization or X-Api-Key.')
const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v)
const optional = <T extends z.ZodType>(s: T) => z.preprocess(blankToNull, s.nullable().optional())
const int = (name: keyof typeof LIMITS, label: string) =>
  z.coerce
    .number({ error: `${label} must be a number.` })
    .int(`${label} must be a whole number.`)
    .min(LIMITS[name].min, `${label}: at least ${LIMITS[name].min.toLocaleString('en')}.`)
    .max(LIMITS[name].max, `${label}: at most ${LIMITS[name].max.toLocaleString('en')}.`)

const routeFields = {
  name: z.string().trim().min(1, 'Give the route a name.').max(80, 'At most 80 characters.'),
  pathPrefix,
  upstreamUrl,
  environment: z.enum(ENVIRONMENTS, { error: 'Choose production, staging, development, test or unknown.' }),
  authKind: z.enum(AUTH_KINDS, { error: 'Choose none, a static header, or OAuth 2.0 client credentials.' }),
  authHeader: optional(headerName),
  authPrefix: optional(z.string().max(40, 'At most 40 characters.')),
  secretRef: optional(secretRefSchema),
  oauthTokenUrl: optional(upstreamUrl),
  oauthClientId: optional(z.string().trim().max(200, 'At most 200 characters.')),
  oauthScope: optional(z.string().trim().max(500, 'At most 500 characters.')),
  connectTimeoutMs: int('connectTimeoutMs', 'Connect timeout'),
  timeoutMs: int('timeoutMs', 'Timeout'),
  maxBodyBytes: int('maxBodyBytes', 'Largest request body'),
  ratePerSecond: int('ratePerSecond', 'Requests per second'),
  burst: int('burst', 'Burst'),
}

export type RouteSettings = {
  authKind: AuthKind
  authHeader?: string | null
  secretRef?: string | null
  oauthTokenUrl?: string | null
  oauthClientId?: string | null
  ratePerSecond: number
  burst: number
}

/** What an authentication kind needs; field errors keyed like the form. Shared by create, update and the API. */
export function routeSettingsIssues(r: RouteSettings): Record<string, string> {
  const issues: Record<string, string> = {}
  if (r.authKind === 'header') {
    if (!r.authHeader) issues.authHeader = 'Name the header the secret goes into (Authorization, X-Api-Key...).'
    if (!r.secretRef) issues.secretRef = 'Name the environment variable that holds the upstream secret.'
  }
  if (r.authKind === 'oauth2_client_credentials') {
    if (!r.oauthTokenUrl) issues.oauthTokenUrl = 'Enter the token endpoint URL.'
    if (!r.oauthClientId) issues.oauthClientId = 'Enter the client id.'
    if (!r.secretRef) issues.secretRef = 'Name the environment variable that holds the client secret.'
  }
  if (r.burst < r.ratePerSecond) issues.burst = 'The burst must be at least the requests per second.'
  return issues
}

const withSettingsCheck = <T extends RouteSettings>(v: T, ctx: z.RefinementCtx) => {
  for (const [path, message] of Object.entries(routeSettingsIssues(v))) ctx.addIssue({ code: 'custom', path: [path], message })
}

const routeBodyBase = z.object({
  ...routeFields,
  environment: routeFields.environment.default('unknown'),
  authKind: routeFields.authKind.default('none'),
  connectTimeoutMs: routeFields.connectTimeoutMs.default(LIMITS.connectTimeoutMs.default),
  timeoutMs: routeFields.timeoutMs.default(LIMITS.timeoutMs.default),
  maxBodyBytes: routeFields.maxBodyBytes.default(LIMITS.maxBodyBytes.default),
  ratePerSecond: routeFields.ratePerSecond.default(LIMITS.ratePerSecond.default),
  burst: routeFields.burst.default(LIMITS.burst.default),
})
export const routeBodySchema = routeBodyBase.superRefine(withSettingsCheck)
/** The API's bodies: the same fields, strict (an unknown field is refused, not ignored). */
export const routeCreateBodySchema = routeBodyBase.strict().superRefine(withSettingsCheck)
export type RouteBody = z.output<typeof routeBodySchema>

export const createRouteSchema = routeBodyBase.extend({ orgSlug }).superRefine(withSettingsCheck)
export type CreateRouteInput = z.output<typeof createRouteSchema>

/** A change to some settings; the combination is checked against the stored route in the domain layer. */
export const routePatchSchema = z.object({ ...routeFields, status: z.enum(ROUTE_STATUSES, { error: 'Choose active or disabled.' }) }).partial()
export type RoutePatch = z.output<typeof routePatchSchema>
export const updateRouteSchema = routePatchSchema.extend({ orgSlug, routeId: recordId('route') })
export type UpdateRouteInput = z.output<typeof updateRouteSchema>
export const routeRefSchema = z.object({ orgSlug, routeId: recordId('route') })

/** Path patterns below the route prefix: start with /, `*` matches any characters. One per line or comma-separated in forms. */
export const PATH_PATTERN = /^\/[A-Za-z0-9._~!$&'()+,;=:@%/*-]*$/
const pathsSchema = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(/[\s,]+/)
          .map((x) => x.trim())
          .filter(Boolean)
      : v,
  z
    .array(
      z
        .string()
        .trim()
        .max(200, 'A path pattern has at most 200 characters.')
        .regex(PATH_PATTERN, 'Path patterns start with / and may use * as a wildcard, like /orders/*.'),
      { error: 'List the paths this rule allows.' },
    )
    .min(1, 'Allow at least one path (/* is every path).')
    .max(20, 'At most 20 path patterns per rule.')
    .transform((p) => [...new Set(p)]),
)
const methodsSchema = z
  .array(z.enum([...HTTP_METHODS, '*'], { error: 'Methods are GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or * (every method).' }), {
    error: 'Choose the methods this rule allows.',
  })
  .min(1, 'Choose at least one method.')
  .transform((m) => (m.includes('*') ? ['*'] : HTTP_METHODS.filter((x) => m.includes(x))))

const ruleBodyBase = z.object({
  ...principalFields,
  methods: methodsSchema,
  paths: pathsSchema,
})
export const ruleBodySchema = ruleBodyBase.superRefine(refinePrincipal)
export const ruleCreateBodySchema = ruleBodyBase.strict().superRefine(refinePrincipal)
export type RuleBody = z.output<typeof ruleBodySchema>
export const createRuleSchema = ruleBodyBase.extend({ orgSlug, routeId: recordId('route') }).superRefine(refinePrincipal)
export type CreateRuleInput = z.output<typeof createRuleSchema>
export const ruleRefSchema = z.object({ orgSlug, ruleId: recordId('rule') })

export const issueGatewayTokenSchema = z.object({
  orgSlug,
  identityId: recordId('identity'),
  name: z.string().trim().min(1, 'Give the token a name.').max(80, 'At most 80 characters.'),
  expiresInDays: z.coerce.number().int().min(1, 'At least 1 day.').max(365, 'At most a year (365 days).'),
})
export type IssueGatewayTokenInput = z.output<typeof issueGatewayTokenSchema>

/** The entitlement's name: the methods and paths a rule allows, e.g. `GET, POST /orders/*`. */
export function ruleEntitlementName(methods: readonly string[], paths: readonly string[]): string {
  return `${methods.includes('*') ? '*' : methods.join(', ')} ${paths.join(', ')}`.slice(0, 200)
}

/**
 * A rule is privileged when it allows writes (any method but GET/HEAD/OPTIONS) to a production route, or allows
 * every method on every path of any route: both are what a reviewer must look at first.
 */
export function rulePrivileged(methods: readonly string[], paths: readonly string[], environment: string): boolean {
  const writes = methods.some((m) => m === '*' || !READ_METHODS.has(m))
  const everything = methods.includes('*') && paths.some((p) => p === '/*' || p === '*')
  return (writes && environment === 'production') || everything
}

export { PRINCIPAL_TYPES, principalLabel, type PrincipalType } from '@/lib/principals/schemas'
