import 'server-only'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { dateTime, id, iso } from '@/lib/api/v1/common'
import { ValidationError } from '@/lib/errors'
import { createTemplate, renewLease, requestLease, revokeLease } from '@/lib/leases/mutations'
import { getLeaseOrThrow, listLeases, listTemplates, type LeaseDto, type TemplateDto } from '@/lib/leases/queries'
import { LEASE_STATUSES, MAX_TEMPLATE_TTL_SECONDS, MIN_TTL_SECONDS, OBJECT_TYPES, PRIVILEGES, requestLeaseFields, templateFields } from '@/lib/leases/schemas'
import { refinePrincipal, type PrincipalType } from '@/lib/principals/schemas'

const grantOut = z
  .object({
    privilege: z.enum(PRIVILEGES),
    objectType: z.enum(OBJECT_TYPES),
    schema: z.string().nullable(),
    name: z.string().nullable(),
  })
  .meta({ id: 'CredentialTemplateGrant' })

const templateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    source: z.object({ id: z.string(), name: z.string() }),
    grants: z.array(grantOut),
    grantsText: z.array(z.string()).meta({ description: 'Each grant as the statement Custodian runs (the role left out).' }),
    defaultTtlSeconds: z.number().int(),
    maxTtlSeconds: z.number().int(),
    status: z.string(),
    usableBy: z
      .object({
        type: z.enum(['identity', 'team', 'tag']),
        label: z.string(),
        identityId: z.string().nullable(),
        teamId: z.string().nullable(),
        tagKey: z.string().nullable(),
        tagValue: z.string().nullable(),
      })
      .nullable()
      .meta({
        description:
          'Who may be given its credentials: one identity, a team’s identities, or identities with a tag. Null: no one (made before templates named it).',
      }),
    activeLeases: z.number().int(),
    createdAt: dateTime,
  })
  .meta({ id: 'CredentialTemplate' })

const leaseSchema = z
  .object({
    id: z.string(),
    identity: z.object({ id: z.string(), name: z.string() }),
    template: z.object({ id: z.string(), name: z.string() }),
    roleName: z.string(),
    requestedBy: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
    task: z.string().nullable(),
    justification: z.string().nullable(),
    issuedAt: dateTime,
    expiresAt: dateTime,
    maxExpiresAt: dateTime,
    renewals: z.number().int(),
    status: z.enum(LEASE_STATUSES),
    endedAt: dateTime.nullable(),
    lastError: z.string().nullable().meta({ description: 'What blocked the last attempt to end it (stuck leases).' }),
  })
  .meta({ id: 'Lease' })

const templateDto = (t: TemplateDto): z.infer<typeof templateSchema> => ({
  ...t,
  usableBy: t.usableBy ? { ...t.usableBy, type: t.usableBy.type as PrincipalType } : null,
  createdAt: t.createdAt.toISOString(),
})
const leaseDto = (l: LeaseDto): z.infer<typeof leaseSchema> => ({
  id: l.id,
  identity: l.identity,
  template: l.template,
  roleName: l.roleName,
  requestedBy: l.requestedBy,
  task: l.task,
  justification: l.justification,
  issuedAt: l.issuedAt.toISOString(),
  expiresAt: l.expiresAt.toISOString(),
  maxExpiresAt: l.maxExpiresAt.toISOString(),
  renewals: l.renewals,
  status: l.status,
  endedAt: iso(l.endedAt),
  lastError: l.lastError,
})

const read = { tag: 'Leases', scope: 'leases:read' as const }
const write = { tag: 'Leases', scope: 'leases:write' as const }

export const listCredentialTemplatesOp = defineOperation({
  ...read,
  operationId: 'listCredentialTemplates',
  method: 'get',
  path: '/credential-templates',
  summary: 'List the credential templates (what an ephemeral database role may do, and for how long)',
  query: z.strictObject({}),
  success: { status: 200, description: 'Every template, by name.', schema: z.object({ data: z.array(templateSchema) }).meta({ id: 'CredentialTemplateList' }) },
  problems: [400],
  run: async ({ ctx }) => ({ data: (await listTemplates(ctx)).map(templateDto) }),
})

export const createCredentialTemplateOp = defineOperation({
  tag: 'Leases',
  scope: 'sources:write',
  operationId: 'createCredentialTemplate',
  method: 'post',
  path: '/credential-templates',
  summary: 'Define a credential template on a live PostgreSQL source',
  body: z
    .strictObject({
      ...templateFields,
      grants: z
        .array(z.union([grantOut.omit({ schema: true, name: true }).extend({ schema: z.string().optional(), name: z.string().optional() }), z.string()]))
        .min(1)
        .max(50)
        // documented as written (object or shorthand); parsed and checked by the domain's schema
        .transform((v, c) => {
          const r = templateFields.grants.safeParse(v)
          if (r.success) return r.data
          for (const i of r.error.issues) c.addIssue({ code: 'custom', message: i.message, path: i.path })
          return z.NEVER
        })
        .meta({
          description:
            'The privileges a generated role receives: `{ privilege, objectType, schema, name }`, or shorthand such as `SELECT ON app.orders` or `USAGE ON SCHEMA app`. Names are quoted as identifiers; a table grant adds USAGE on its schema.',
        }),
      defaultTtlSeconds: templateFields.defaultTtlSeconds.meta({
        description: `Lease length when none is asked for (${MIN_TTL_SECONDS}–${MAX_TEMPLATE_TTL_SECONDS}).`,
      }),
      maxTtlSeconds: templateFields.maxTtlSeconds.meta({ description: 'The longest a lease lasts from issue, renewals included.' }),
      principalType: templateFields.principalType.meta({
        description: 'Who may be given its credentials: `identity` (identityId), `team` (teamId: its identities) or `tag` (tagKey, tagValue).',
      }),
    })
    .superRefine(refinePrincipal)
    .meta({ id: 'CredentialTemplateCreate' }),
  success: { status: 201, description: 'The template.', schema: templateSchema },
  problems: [404, 409, 422],
  run: async ({ ctx, body }) => {
    if (body.defaultTtlSeconds > body.maxTtlSeconds)
      throw new ValidationError('The default TTL cannot exceed the maximum.', { defaultTtlSeconds: ['The default TTL cannot exceed the maximum.'] })
    const row = await createTemplate(ctx, body)
    return templateDto((await listTemplates(ctx)).find((t) => t.id === row.id)!)
  },
})

const leaseStatusFilter = z.enum(['active', 'ended', 'stuck', 'all'])

export const listLeasesOp = defineOperation({
  ...read,
  operationId: 'listLeases',
  method: 'get',
  path: '/leases',
  summary: 'List leases, newest first (a workload sees its own only)',
  query: z.strictObject({
    status: leaseStatusFilter.default('all').meta({ description: 'active, ended (expired, revoked, forgotten), stuck, or all.' }),
    identityId: id.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  success: { status: 200, description: 'Leases, newest first.', schema: z.object({ data: z.array(leaseSchema) }).meta({ id: 'LeaseList' }) },
  problems: [400],
  run: async ({ ctx, query }) => ({ data: (await listLeases(ctx, query)).map(leaseDto) }),
})

export const createLeaseOp = defineOperation({
  ...write,
  operationId: 'createLease',
  method: 'post',
  path: '/leases',
  summary: 'Ask for an ephemeral database credential from a template: the password is in this answer only',
  body: z
    .strictObject({
      ...requestLeaseFields,
      identityId: requestLeaseFields.identityId.meta({ description: 'The identity it is for; an exchanged (workload) token leaves it out and gets its own.' }),
      ttlSeconds: requestLeaseFields.ttlSeconds.meta({ description: 'Asked-for length; capped at the template’s maximum (the answer says what was given).' }),
      task: requestLeaseFields.task.meta({ description: 'What it is for; a workload’s token task is used when left out.' }),
    })
    .meta({ id: 'LeaseCreate' }),
  success: {
    status: 201,
    description: 'The credential. The password is not stored anywhere: keep it now.',
    schema: z
      .object({
        leaseId: z.string(),
        username: z.string(),
        password: z.string(),
        host: z.string().nullable(),
        database: z.string().nullable(),
        issuedAt: dateTime,
        expiresAt: dateTime,
        maxExpiresAt: dateTime,
        ttlSeconds: z.number().int().meta({ description: 'The effective TTL, after the template’s cap.' }),
        requestedTtlSeconds: z.number().int().nullable(),
      })
      .meta({ id: 'LeaseCredential' }),
  },
  problems: [404, 409, 422, 502],
  run: async ({ ctx, body }) => {
    const l = await requestLease(ctx, body)
    return { ...l, issuedAt: l.issuedAt.toISOString(), expiresAt: l.expiresAt.toISOString(), maxExpiresAt: l.maxExpiresAt.toISOString() }
  },
})

export const renewLeaseOp = defineOperation({
  ...write,
  operationId: 'renewLease',
  method: 'post',
  path: '/leases/{id}/renew',
  summary: 'Extend a lease from now, never past the template’s maximum from issue',
  params: z.object({ id }),
  body: z
    .strictObject({ ttlSeconds: requestLeaseFields.ttlSeconds.meta({ description: 'Asked-for length from now (default: the template’s).' }) })
    .meta({ id: 'LeaseRenew' }),
  success: {
    status: 200,
    description: 'The new end.',
    schema: z.object({ leaseId: z.string(), expiresAt: dateTime, maxExpiresAt: dateTime, ttlSeconds: z.number().int() }).meta({ id: 'LeaseRenewal' }),
  },
  problems: [404, 409, 502],
  run: async ({ ctx, params, body }) => {
    const r = await renewLease(ctx, params.id, body.ttlSeconds)
    return { ...r, expiresAt: r.expiresAt.toISOString(), maxExpiresAt: r.maxExpiresAt.toISOString() }
  },
})

export const revokeLeaseOp = defineOperation({
  ...write,
  operationId: 'revokeLease',
  method: 'post',
  path: '/leases/{id}/revoke',
  summary: 'End a lease early: its sessions are terminated and its role dropped by a job, within seconds',
  params: z.object({ id }),
  body: z.strictObject({}).meta({ id: 'LeaseRevoke' }),
  success: { status: 200, description: 'The lease, revoking (or already ended).', schema: leaseSchema },
  problems: [404],
  run: async ({ ctx, params }) => {
    await revokeLease(ctx, params.id)
    return leaseDto(await getLeaseOrThrow(ctx, params.id))
  },
})
