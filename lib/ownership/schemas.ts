import { z } from 'zod'

export const OWNER_ORIGINS = ['manual', 'suggestion', 'source', 'api', 'fallback'] as const
export type OwnerOrigin = (typeof OWNER_ORIGINS)[number]

const id = z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'not a valid id')
const orgSlug = z.string().min(1).max(64)

/** undefined leaves a field as it is, null clears it, an id sets it. */
const optionalRef = id.nullable().optional()

export const ownershipFieldsSchema = z
  .object({
    ownerId: optionalRef,
    backupOwnerId: optionalRef,
    teamId: optionalRef,
  })
  .refine((f) => f.ownerId !== undefined || f.backupOwnerId !== undefined || f.teamId !== undefined, {
    message: 'Choose an owner, a backup owner or a team to change.',
    path: ['ownerId'],
  })
  .refine((f) => !f.ownerId || f.ownerId !== f.backupOwnerId, { message: 'The backup owner must be someone other than the owner.', path: ['backupOwnerId'] })
export type OwnershipFields = z.infer<typeof ownershipFieldsSchema>

/** Browsers send the selection; capped so one request stays one short transaction. */
export const MAX_SELECTION = 5_000

export const assignOwnerSchema = z.object({
  orgSlug,
  identityIds: z
    .array(id)
    .min(1, 'Select at least one identity.')
    .max(MAX_SELECTION, `At most ${MAX_SELECTION} identities at once; use "select all matching" for more.`),
  fields: ownershipFieldsSchema,
})
export type AssignOwnerInput = z.infer<typeof assignOwnerSchema>

/** The filter travels as the inventory's own URL params; the server parses it with identityFilterSchema. */
const rawFilter = z.record(z.string(), z.string().max(2000)).refine((r) => Object.keys(r).length <= 40, 'Too many filter parameters.')

export const bulkAssignByFilterSchema = z.object({
  orgSlug,
  filter: rawFilter,
  fields: ownershipFieldsSchema,
  /** A retried submit (double click, flaky network) never starts a second job. */
  requestId: z.string().regex(/^[a-z0-9-]{8,64}$/i),
})
export type BulkAssignByFilterInput = z.infer<typeof bulkAssignByFilterSchema>

export const previewByFilterSchema = z.object({ orgSlug, filter: rawFilter, fields: ownershipFieldsSchema })

export const acceptSuggestionsByFilterSchema = z.object({ orgSlug, filter: rawFilter, requestId: z.string().regex(/^[a-z0-9-]{8,64}$/i) })

export const acceptSuggestionSchema = z.object({
  orgSlug,
  identityId: id,
  ownerId: id.nullable(),
  teamId: id.nullable(),
})

export const jobStatusSchema = z.object({ orgSlug, jobId: id })

export const requestTransferSchema = z.object({
  orgSlug,
  identityId: id,
  toUserId: id,
  note: z.string().trim().max(500).optional(),
})
export const decideTransferSchema = z.object({ orgSlug, transferId: id, accept: z.boolean() })
export const cancelTransferSchema = z.object({ orgSlug, transferId: id })

export const attestSchema = z.object({
  orgSlug,
  identityId: id,
  stillNeeded: z.literal(true, 'Attest only identities that are still needed; request their removal otherwise.'),
  note: z.string().trim().max(1000).optional(),
})

/**
 * Per-batch size of bulk jobs: each batch is one transaction with its audit rows. A commit writes every page the batch
 * touched, and a batch's identities sit all over the owner indexes, so fewer, larger batches write each page fewer
 * times: at 1,000,000 identities, reassigning 167,912 went from 6,514-7,170 /s (2,000 a batch) to a median of 9,674 /s.
 * A batch holds SQLite's write lock for 1-2 s there; another writer waits that long, readers never do.
 */
export const BULK_BATCH = 10_000

export const bulkAssignPayloadSchema = z.object({
  mode: z.enum(['fields', 'suggestions']),
  filter: z.record(z.string(), z.string()),
  fields: z.object({ ownerId: optionalRef, backupOwnerId: optionalRef, teamId: optionalRef }).default({}),
  /** the requester's id for the form's submit: a repeated submit finds the job it started */
  requestId: z.string().regex(/^[a-z0-9-]{8,64}$/i),
  /** who asked: "me" in the filter is them */
  userId: z.string(),
  /** a token (or workload) that asked: the job's audit rows name it, as they name a person who asked */
  requestedBy: z.object({ type: z.enum(['api_token', 'workload']), id: z.string(), label: z.string() }).optional(),
  now: z.number(),
  dormantDays: z.number().int(),
  /** resume point: the last identity id processed by a committed batch */
  cursor: z.string().nullable().default(null),
  scanned: z.number().default(0),
  changed: z.number().default(0),
})
export type BulkAssignPayload = z.infer<typeof bulkAssignPayloadSchema>

export const offboardPayloadSchema = z.object({
  userId: z.string(),
  leaverLabel: z.string(),
  reason: z.enum(['removed', 'deactivated']),
  totals: z
    .object({ toBackup: z.number(), toLead: z.number(), orphaned: z.number(), backupsCleared: z.number() })
    .default({ toBackup: 0, toLead: 0, orphaned: 0, backupsCleared: 0 }),
})
export type OffboardPayload = z.infer<typeof offboardPayloadSchema>
