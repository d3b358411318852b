import 'server-only'
import { z } from 'zod'
import { offsetPaged } from '@/lib/api/cursor'
import { defineOperation } from '@/lib/api/operation'
import { csvEnum, cursor, dateTime, defineListOperation, id, iso, limit, person } from '@/lib/api/v1/common'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { bulkUpsertIdentities } from '@/lib/inventory/bulk'
import { createIdentity, deleteIdentity, updateIdentity } from '@/lib/inventory/mutations'
import { getIdentityOrThrow, getOrgSettings, identityRows, LIST_COLUMNS, listIdentities } from '@/lib/inventory/queries'
import { indexedIdentityWhere } from '@/lib/inventory/search'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import {
  createIdentitySchema,
  CRED_AGES,
  ENVIRONMENTS,
  IDENTITY_KINDS,
  IDENTITY_STATUSES,
  identityListSchema,
  type IdentityListParams,
  SORTABLE,
  updateIdentitySchema,
} from '@/lib/inventory/schemas'

const ref = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/)

/** The inventory's filters (lib/inventory/schemas.ts), strict: a value the inventory page would ignore is a 400 here. */
export const identityListQuery = z.strictObject({
  q: z.string().trim().max(100).optional().meta({ description: 'Search in names and external ids.' }),
  kind: csvEnum(IDENTITY_KINDS, 'Kinds'),
  env: csvEnum(ENVIRONMENTS, 'Environments'),
  status: csvEnum(IDENTITY_STATUSES, 'Statuses (default: all but deleted)'),
  source: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}(,[A-Za-z0-9_-]{1,40}){0,49}$/)
    .optional()
    .meta({ description: 'Source ids, comma-separated.' }),
  owner: z
    .union([z.literal('unowned'), ref])
    .optional()
    .meta({ description: 'An owner’s id, or `unowned`.' }),
  team: ref.optional(),
  privileged: z.enum(['yes', 'no']).optional(),
  dormant: z.enum(['yes', 'no']).optional(),
  credAge: z.enum(CRED_AGES).optional().meta({ description: 'Has a secret older than this many days.' }),
  risk: z.enum(['high', 'medium', 'low']).optional(),
  finding: z
    .string()
    .regex(/^(NHI(10|[1-9])|[a-z][a-z-]{2,30})$/)
    .optional()
    .meta({ description: 'Has an open finding: an OWASP NHI code (NHI5) or a rule id.' }),
  sort: z.enum(SORTABLE).default('riskScore'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  limit,
  cursor,
})

const source = z.object({ id: z.string(), name: z.string(), type: z.string() }).meta({ id: 'SourceRef' })
const team = z.object({ id: z.string(), name: z.string() }).meta({ id: 'TeamRef' })

export const identitySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(IDENTITY_KINDS),
    environment: z.string(),
    status: z.string(),
    riskScore: z.number().int(),
    privileged: z.boolean(),
    lastUsedAt: dateTime.nullable(),
    usageReported: z.boolean(),
    createdAt: dateTime,
    grantCount: z.number().int(),
    credentialCount: z.number().int(),
    oldestSecretAt: dateTime.nullable(),
    openFindings: z.number().int(),
    source,
    owner: person.nullable(),
    team: team.nullable(),
  })
  .meta({ id: 'Identity' })

export const identityDetailSchema = identitySchema
  .extend({
    externalId: z.string(),
    description: z.string().nullable(),
    backupOwner: person.nullable(),
    tags: z.array(z.object({ key: z.string(), value: z.string() })),
    updatedAt: dateTime,
  })
  .meta({ id: 'IdentityDetail' })

type Row = Omit<Awaited<ReturnType<typeof listIdentities>>['rows'][number], 'owner'> & { owner: { id: string; name: string } | null }
const personOf = (p: { id: string; name: string } | null) => (p ? { id: p.id, name: p.name } : null)

type Dto = z.infer<typeof identitySchema>
function identityDto(r: Omit<Row, 'source' | 'owner' | 'team'>, source: Dto['source'], owner: Dto['owner'], team: Dto['team']): Dto {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as z.infer<typeof identitySchema>['kind'],
    environment: r.environment,
    status: r.status,
    riskScore: r.riskScore,
    privileged: r.privileged,
    lastUsedAt: iso(r.lastUsedAt),
    usageReported: r.usageReported,
    createdAt: r.createdAt.toISOString(),
    grantCount: r.grantCount,
    credentialCount: r.credentialCount,
    oldestSecretAt: iso(r.oldestSecretAt),
    openFindings: r.openFindings,
    source,
    owner,
    team,
  }
}

export const listIdentitiesOp = defineListOperation({
  operationId: 'listIdentities',
  path: '/identities',
  summary: 'List identities (the inventory’s filters, cursor pagination)',
  tag: 'Identities',
  scope: 'identities:read',
  query: identityListQuery,
  item: identitySchema,
  pageName: 'IdentityPage',
  description: 'A page of identities.',
  run: ({ ctx, query }) =>
    offsetPaged(
      query,
      async (filter, page, size) => {
        const p = identityListSchema.parse({ ...filter, page: String(page), size: String(size) })
        // pageParams caps the page size for the pages; the API's own cap is lower, so the parsed size must be the one asked.
        return identityPage(ctx, { ...p, page, size })
      },
      // identityPage answers the objects themselves.
      (item) => item,
    ),
})

/**
 * One page of the list for the API: the inventory's filter (lib/inventory/where.ts, search included) and order, without
 * what the inventory page adds and a script does not read — no total (the API pages by cursor), the organization's
 * settings only for the dormant filter — and the page's source, owner and team names from refNames instead of a
 * query per relation. The rows come in the inventory's order and paging (identityRows).
 */
async function identityPage(ctx: Ctx, p: IdentityListParams): Promise<z.infer<typeof identitySchema>[]> {
  assertCan(ctx, 'identity:read')
  const dormantDays = p.dormant ? (await getOrgSettings(ctx)).dormantDays : 0
  const { where } = await indexedIdentityWhere(ctx.org.id, p, { userId: 'user' in ctx ? ctx.user.id : '', dormantDays })
  const rows = await identityRows(where, p, {
    ...LIST_COLUMNS,
    sourceId: true,
    ownerId: true,
    teamId: true,
  })
  const named = await refNames(ctx.org.id, rows)
  const ref = (kind: 's' | 'u' | 't', id: string) => named.get(`${kind}:${id}`) ?? { id, name: '', type: '' }
  // Each answer object is made once, here, from the row (a page of 50 was copied three times before: a list call's
  // CPU is the API's throughput).
  return rows.map((r) => {
    const source = ref('s', r.sourceId)
    const owner = r.ownerId ? ref('u', r.ownerId) : null
    const team = r.teamId ? ref('t', r.teamId) : null
    return identityDto(
      r,
      { id: source.id, name: source.name, type: source.type },
      owner && { id: owner.id, name: owner.name },
      team && { id: team.id, name: team.name },
    )
  })
}

/**
 * The names of the sources, owners and teams a page refers to, kept REF_NAMES_MS per process: an organization's pages
 * name the same few sources, teams and owners over and over. Only display names are kept — which identity has which
 * source, owner and team is read with the page itself — so a rename shows on API pages within REF_NAMES_MS.
 */
const REF_NAMES_MS = 5_000
const refNameCache = new Map<string, { at: number; value: { id: string; name: string; type: string } }>()

async function refNames(orgId: string, rows: { sourceId: string; ownerId: string | null; teamId: string | null }[]) {
  const now = Date.now()
  const out = new Map<string, { id: string; name: string; type: string }>()
  const missing = { s: new Set<string>(), u: new Set<string>(), t: new Set<string>() }
  const want = (kind: 's' | 'u' | 't', id: string | null) => {
    if (!id) return
    const key = `${kind}:${orgId}:${id}`
    const hit = refNameCache.get(key)
    if (hit && now - hit.at < REF_NAMES_MS && now >= hit.at) out.set(`${kind}:${id}`, hit.value)
    else missing[kind].add(id)
  }
  for (const r of rows) {
    want('s', r.sourceId)
    want('u', r.ownerId)
    want('t', r.teamId)
  }
  if (missing.s.size + missing.u.size + missing.t.size === 0) return out
  const found = await prismaSql().query<{ kind: 's' | 'u' | 't'; id: string; name: string; type: string | null }>(sql`
    SELECT 's' AS "kind", "id", "name", "type" FROM "Source" WHERE "orgId" = ${orgId} AND "id" ${sql.isIn([...missing.s])}
    UNION ALL SELECT 'u' AS "kind", "id", "name", NULL AS "type" FROM "User" WHERE "id" ${sql.isIn([...missing.u])}
    UNION ALL SELECT 't' AS "kind", "id", "name", NULL AS "type" FROM "Team" WHERE "orgId" = ${orgId} AND "id" ${sql.isIn([...missing.t])}`)
  if (refNameCache.size >= 10_000) refNameCache.clear()
  for (const f of found) {
    const value = { id: f.id, name: f.name, type: f.type ?? '' }
    refNameCache.set(`${f.kind}:${orgId}:${f.id}`, { at: now, value })
    out.set(`${f.kind}:${f.id}`, value)
  }
  return out
}

/** What the operations on one identity share: its path and parameter. */
const oneIdentity = { path: '/identities/{id}', tag: 'Identities', params: z.object({ id }) }

export const getIdentityOp = defineOperation({
  ...oneIdentity,
  operationId: 'getIdentity',
  method: 'get',
  summary: 'Get one identity',
  scope: 'identities:read',
  success: { status: 200, description: 'The identity.', schema: identityDetailSchema },
  problems: [404],
  run: ({ ctx, params }) => identityDetail(ctx, params.id),
})

async function identityDetail(ctx: Ctx, identityId: string): Promise<z.infer<typeof identityDetailSchema>> {
  const { identity: r } = await getIdentityOrThrow(ctx, identityId)
  return {
    ...identityDto(r, r.source, personOf(r.owner), r.team),
    externalId: r.externalId,
    description: r.description,
    backupOwner: personOf(r.backupOwner),
    tags: r.tags,
    updatedAt: r.updatedAt.toISOString(),
  }
}

/** The writes answer the identity as it now is, read back as getIdentity reads it. */
const write = { tag: 'Identities', scope: 'identities:write' } as const

export const createIdentityOp = defineOperation({
  ...write,
  operationId: 'createIdentity',
  method: 'post',
  path: '/identities',
  summary: 'Add an identity by hand (to the organization’s “Manual and API entries” source)',
  body: createIdentitySchema.meta({ id: 'IdentityCreate' }),
  success: { status: 201, description: 'The identity, with its findings and risk score already evaluated.', schema: identityDetailSchema },
  problems: [409],
  run: async ({ ctx, body }) => identityDetail(ctx, (await createIdentity(ctx, body)).id),
})

export const updateIdentityOp = defineOperation({
  ...oneIdentity,
  ...write,
  operationId: 'updateIdentity',
  method: 'patch',
  summary: 'Change an identity’s fields (those given; `null` clears; tags replace)',
  body: updateIdentitySchema.meta({ id: 'IdentityUpdate' }),
  success: { status: 200, description: 'The identity as changed.', schema: identityDetailSchema },
  problems: [404, 409],
  run: async ({ ctx, params, body }) => identityDetail(ctx, (await updateIdentity(ctx, params.id, body)).id),
})

export const deleteIdentityOp = defineOperation({
  ...oneIdentity,
  ...write,
  operationId: 'deleteIdentity',
  method: 'delete',
  summary: 'Mark an identity deleted (its history stays)',
  success: { status: 200, description: 'The identity, now with status `deleted`.', schema: identityDetailSchema },
  problems: [404],
  run: async ({ ctx, params }) => identityDetail(ctx, (await deleteIdentity(ctx, params.id)).id),
})

/** One NDJSON line of a bulk upsert: the generic import format's fields (docs/import-format.md). Documentation only: lines are read by the import mapper. */
const bulkLineSchema = z
  .object({
    external_id: z.string().max(500).meta({ description: 'The identity’s id at its source; the upsert key (defaults to the name).' }),
    name: z.string().max(500),
    kind: z.enum(IDENTITY_KINDS).optional(),
    environment: z.enum(ENVIRONMENTS).optional(),
    status: z.enum(['active', 'disabled']).optional(),
    description: z.string().optional(),
    owner_email: z.string().optional().meta({ description: 'An active member’s e-mail; others are imported without an owner.' }),
    created_at: z.string().optional(),
    last_used_at: z.string().optional().meta({ description: 'ISO date, or `never`; absent means not known.' }),
    tags: z.record(z.string(), z.string()).optional(),
    credential_kind: z.string().optional(),
    credential_id: z.string().optional().meta({ description: 'An id or key name, never the secret itself.' }),
    resource: z.string().optional(),
    permission: z.string().optional(),
    privileged: z.boolean().optional(),
  })
  .meta({ id: 'IdentityBulkLine' })

export const BULK_MAX_BYTES = 512 * 1024 * 1024

export const bulkUpsertIdentitiesOp = defineOperation({
  ...write,
  operationId: 'bulkUpsertIdentities',
  method: 'post',
  path: '/identities/bulk',
  summary: 'Create or update many identities from NDJSON, by external id (ingestion at scale)',
  query: z.strictObject({
    sourceId: id.optional().meta({ description: 'The source the identities belong to; left out: the “Manual and API entries” source.' }),
  }),
  ndjson: {
    line: bulkLineSchema,
    maxBytes: BULK_MAX_BYTES,
    description: `One JSON object per line (\`Content-Type: application/x-ndjson\`), at most ${BULK_MAX_BYTES / 1024 / 1024} MiB, read as it arrives and applied in batches that each commit with their audit row. An identity absent from the stream is left alone.`,
  },
  success: {
    status: 200,
    description: 'What was applied; lines that could not be read are counted and the first ones listed, the rest applied.',
    schema: z
      .object({
        sourceId: z.string(),
        added: z.number().int(),
        changed: z.number().int(),
        unchanged: z.number().int(),
        skipped: z.number().int(),
        errors: z.number().int(),
        errorSamples: z.array(z.object({ line: z.number().int().nullable(), message: z.string() })),
        credentials: z.object({ added: z.number().int(), changed: z.number().int() }),
        grants: z.object({ added: z.number().int(), changed: z.number().int() }),
      })
      .meta({ id: 'IdentityBulkResult' }),
  },
  problems: [404],
  run: async ({ ctx, query, lines }) => bulkUpsertIdentities(ctx, query.sourceId, lines, { requestId: ctx.requestId }),
})
