import { z } from 'zod'
import { principalFields, refinePrincipal } from '@/lib/principals/schemas'

// Credential templates and leases (ephemeral PostgreSQL roles). zod only, no server imports: shared by actions, the REST
// API and forms.

const orgSlug = z.string().min(1).max(64)
const id = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'Unknown id.')

export const MIN_TTL_SECONDS = 60
/** A lease never lasts more than a day: longer access is a standing grant, reviewed as one. */
export const MAX_TEMPLATE_TTL_SECONDS = 86_400
export const MAX_TASK_CHARS = 200
/** How a leased role's COMMENT begins: a source's sync knows it for Custodian's own (not an identity of the source). */
export const LEASE_ROLE_COMMENT_PREFIX = 'Custodian lease '
/** Failed attempts to end a lease before it is shown as stuck. */
export const LEASE_END_ATTEMPTS = 5

export const LEASE_STATUSES = ['active', 'revoking', 'expired', 'revoked', 'stuck', 'forgotten'] as const
export type LeaseStatus = (typeof LEASE_STATUSES)[number]

export const OBJECT_TYPES = ['table', 'all-tables-in-schema', 'sequence', 'schema', 'database'] as const
export type GrantObjectType = (typeof OBJECT_TYPES)[number]

/** The privileges PostgreSQL accepts on each kind of object: anything else is refused before it reaches the server. */
export const PRIVILEGES_BY_OBJECT: Record<GrantObjectType, readonly string[]> = {
  table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
  'all-tables-in-schema': ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
  sequence: ['USAGE', 'SELECT', 'UPDATE'],
  schema: ['USAGE', 'CREATE'],
  database: ['CONNECT', 'TEMPORARY', 'CREATE'],
}
export const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'USAGE', 'CREATE', 'CONNECT', 'TEMPORARY'] as const

/** A PostgreSQL identifier as typed (quoted when applied, so any printable name works): at most 63 bytes, no NUL or control characters. */
const identifier = z
  .string()
  .min(1, 'Name the object.')
  .refine((s) => Buffer.byteLength(s, 'utf8') <= 63, 'At most 63 bytes (PostgreSQL’s limit).')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'No control characters.')

export const grantSchema = z
  .object(
    {
      privilege: z.enum(PRIVILEGES),
      objectType: z.enum(OBJECT_TYPES),
      /** the schema of a table or sequence, or the schema itself; ignored for a database */
      schema: identifier.optional(),
      /** the table, sequence or database; not used for a schema or all tables in a schema */
      name: identifier.optional(),
    },
    { error: (iss) => (typeof iss.input === 'string' ? `Not a grant: “${iss.input.slice(0, 80)}”. Write e.g. SELECT ON app.orders.` : undefined) },
  )
  .superRefine((g, c) => {
    if (!PRIVILEGES_BY_OBJECT[g.objectType].includes(g.privilege))
      c.addIssue({ code: 'custom', path: ['privilege'], message: `${g.privilege} cannot be granted on a ${g.objectType.replace(/-/g, ' ')}.` })
    if (g.objectType !== 'database' && !g.schema) c.addIssue({ code: 'custom', path: ['schema'], message: 'Name the schema.' })
    if ((g.objectType === 'table' || g.objectType === 'sequence' || g.objectType === 'database') && !g.name)
      c.addIssue({ code: 'custom', path: ['name'], message: `Name the ${g.objectType}.` })
  })
  .transform((g) => ({
    privilege: g.privilege,
    objectType: g.objectType,
    schema: g.objectType === 'database' ? null : (g.schema ?? null),
    name: g.objectType === 'schema' || g.objectType === 'all-tables-in-schema' ? null : (g.name ?? null),
  }))
export type TemplateGrant = z.output<typeof grantSchema>

/** How a grant reads (the statement Custodian runs, with the role left out). */
export function describeGrant(g: TemplateGrant): string {
  const q = (s: string | null) => `"${(s ?? '').replace(/"/g, '""')}"`
  switch (g.objectType) {
    case 'table':
      return `${g.privilege} ON TABLE ${q(g.schema)}.${q(g.name)}`
    case 'all-tables-in-schema':
      return `${g.privilege} ON ALL TABLES IN SCHEMA ${q(g.schema)}`
    case 'sequence':
      return `${g.privilege} ON SEQUENCE ${q(g.schema)}.${q(g.name)}`
    case 'schema':
      return `${g.privilege} ON SCHEMA ${q(g.schema)}`
    case 'database':
      return `${g.privilege} ON DATABASE ${q(g.name)}`
  }
}

/**
 * `SELECT ON app.orders` style shorthand (for forms and the API): privilege, ON, then an optional object keyword and a
 * dotted name whose parts may be double-quoted. Parsed into the structured grant; nothing of it is ever interpolated.
 */
export function parseGrantShorthand(text: string): z.input<typeof grantSchema> | null {
  const m = /^\s*(?:GRANT\s+)?([A-Za-z]+)\s+ON\s+(?:(TABLE|SEQUENCE|SCHEMA|DATABASE|ALL\s+TABLES\s+IN\s+SCHEMA)\s+)?(.+?)\s*$/i.exec(text)
  if (!m) return null
  const parts: string[] = []
  const rest = m[3]
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."\s]+))\s*(\.|$)/y
  let at = 0
  while (at < rest.length) {
    re.lastIndex = at
    const p = re.exec(rest)
    if (!p) return null
    parts.push(p[1] !== undefined ? p[1].replace(/""/g, '"') : p[2])
    at = re.lastIndex
    if (p[3] === '') break
  }
  if (at < rest.length || !parts.length || parts.length > 2) return null
  const kw = (m[2] ?? 'TABLE').toUpperCase().replace(/\s+/g, ' ')
  const privilege = m[1].toUpperCase() as (typeof PRIVILEGES)[number]
  if (kw === 'SCHEMA' || kw === 'ALL TABLES IN SCHEMA')
    return parts.length === 1 ? { privilege, objectType: kw === 'SCHEMA' ? 'schema' : 'all-tables-in-schema', schema: parts[0] } : null
  if (kw === 'DATABASE') return parts.length === 1 ? { privilege, objectType: 'database', name: parts[0] } : null
  const [schema, name] = parts.length === 2 ? parts : ['public', parts[0]]
  return { privilege, objectType: kw === 'SEQUENCE' ? 'sequence' : 'table', schema, name }
}

const ttl = (what: string) =>
  z.coerce
    .number()
    .int(`${what} is a whole number of seconds.`)
    .min(MIN_TTL_SECONDS, `${what}: at least ${MIN_TTL_SECONDS} seconds.`)
    .max(MAX_TEMPLATE_TTL_SECONDS, `${what}: at most a day (${MAX_TEMPLATE_TTL_SECONDS} seconds).`)

export const templateFields = {
  name: z.string().trim().min(1, 'Give the template a name.').max(80, 'At most 80 characters.'),
  description: z.string().trim().max(500, 'At most 500 characters.').optional(),
  sourceId: id,
  grants: z
    .array(
      // A shorthand string is parsed into the structured grant, then validated as one: its messages name what is wrong.
      z.preprocess((v) => (typeof v === 'string' ? (parseGrantShorthand(v) ?? v) : v), grantSchema),
    )
    .min(1, 'Give at least one grant.')
    .max(50, 'At most 50 grants.'),
  defaultTtlSeconds: ttl('Default TTL').default(900),
  maxTtlSeconds: ttl('Maximum TTL').default(3600),
  // Who may be given its credentials (an identity, a team's identities, or identities with a tag): without it, anyone
  // allowed to ask for some identity could take the organization's most privileged template.
  ...principalFields,
}

const ttlOrder = (t: { defaultTtlSeconds: number; maxTtlSeconds: number }, c: z.RefinementCtx) => {
  if (t.defaultTtlSeconds > t.maxTtlSeconds) c.addIssue({ code: 'custom', path: ['defaultTtlSeconds'], message: 'The default TTL cannot exceed the maximum.' })
}

export const createTemplateSchema = z
  .object({ orgSlug, ...templateFields })
  .superRefine(ttlOrder)
  .superRefine(refinePrincipal)
export type CreateTemplateInput = z.output<typeof createTemplateSchema>
export const setTemplateStatusSchema = z.object({ orgSlug, templateId: id, status: z.enum(['active', 'disabled']) })

const task = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TASK_CHARS, `At most ${MAX_TASK_CHARS} characters.`)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'No control characters.')

export const requestLeaseFields = {
  templateId: id,
  /** the identity the role is for; a workload may only name itself (or leave it out) */
  identityId: id.optional(),
  ttlSeconds: z.coerce.number().int().min(MIN_TTL_SECONDS, `At least ${MIN_TTL_SECONDS} seconds.`).max(MAX_TEMPLATE_TTL_SECONDS).optional(),
  task: task.optional(),
  justification: z.string().trim().max(1000, 'At most 1000 characters.').optional(),
}
export const requestLeaseSchema = z.object({ orgSlug, ...requestLeaseFields })
export type RequestLeaseInput = z.output<typeof requestLeaseSchema>
/** Break-glass from the UI: a person asks for a credential for an identity, and must say why. */
export const breakGlassSchema = z.object({
  orgSlug,
  templateId: id,
  identityId: id,
  ttlSeconds: z.coerce.number().int().min(MIN_TTL_SECONDS).max(MAX_TEMPLATE_TTL_SECONDS).optional(),
  justification: z.string().trim().min(10, 'Say why (at least 10 characters): this is break-glass access and is audited.').max(1000),
})
export const renewLeaseSchema = z.object({
  orgSlug,
  leaseId: id,
  ttlSeconds: z.coerce.number().int().min(MIN_TTL_SECONDS).max(MAX_TEMPLATE_TTL_SECONDS).optional(),
})
export const leaseIdSchema = z.object({ orgSlug, leaseId: id })

/** Role names: `cust_<identity slug>_<random>`, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). */
export function roleNameFor(identityName: string, random: string): string {
  const slug =
    identityName
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40)
      .replace(/_+$/g, '') || 'identity'
  return `cust_${slug}_${random}`.slice(0, 63)
}

/** Effective TTL after caps: the request (or the template's default), never past the template's maximum from issue. */
export function effectiveTtl(requested: number | undefined, t: { defaultTtlSeconds: number; maxTtlSeconds: number }): number {
  return Math.min(requested ?? t.defaultTtlSeconds, t.maxTtlSeconds)
}
