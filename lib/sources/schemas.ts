import { z } from 'zod'

export const IMPORT_FORMATS = ['generic_csv', 'generic_json', 'aws_credential_report', 'kubernetes', 'github'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

export const FORMAT_INFO: Record<ImportFormat, { label: string; sourceType: string; accept: string; json: boolean; hint: string }> = {
  generic_csv: {
    label: 'Generic CSV',
    sourceType: 'csv',
    accept: '.csv,text/csv',
    json: false,
    hint: 'Custodian’s own columns: external id, name, kind, environment, owner, one credential and one grant per row (see the formats below).',
  },
  generic_json: {
    label: 'Generic JSON',
    sourceType: 'json',
    accept: '.json,application/json',
    json: true,
    hint: 'An array of objects with the generic CSV’s field names.',
  },
  aws_credential_report: {
    label: 'AWS IAM credential report (CSV)',
    sourceType: 'aws',
    accept: '.csv,text/csv',
    json: false,
    hint: 'The credential report CSV of one AWS account (see below for the commands).',
  },
  kubernetes: {
    label: 'Kubernetes (kubectl JSON)',
    sourceType: 'kubernetes',
    accept: '.json,application/json',
    json: true,
    hint: 'kubectl’s JSON of service accounts, token secrets, roles and bindings (see below for the command).',
  },
  github: {
    label: 'GitHub organization (JSON bundle)',
    sourceType: 'github',
    accept: '.json,application/json',
    json: true,
    hint: 'Installations, deploy keys and fine-grained tokens from the GitHub REST API (see below).',
  },
}

/** CSV is streamed and may be large; JSON documents are parsed whole (in the worker), so they are capped much lower. */
export const MAX_CSV_BYTES = 2 * 1024 ** 3
export const MAX_JSON_BYTES = 50 * 1024 ** 2
export const maxBytesFor = (f: ImportFormat) => (FORMAT_INFO[f].json ? MAX_JSON_BYTES : MAX_CSV_BYTES)

export const SCHEDULE_HINT = 'hourly, daily, weekly, or an interval such as 15m, 6h, 2d (at least 15 minutes)'
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A schedule in milliseconds, or null when it cannot be read. */
export function scheduleMs(schedule: string | null | undefined): number | null {
  const s = (schedule ?? '').trim().toLowerCase()
  if (s === 'hourly') return UNITS.h
  if (s === 'daily') return UNITS.d
  if (s === 'weekly') return 7 * UNITS.d
  const m = /^(\d{1,4})\s*(m|h|d)$/.exec(s)
  if (!m) return null
  const ms = Number(m[1]) * UNITS[m[2]]
  return ms >= 15 * UNITS.m && ms <= 90 * UNITS.d ? ms : null
}

const orgSlug = z.string().min(1).max(64)
const id = z.string().min(1).max(64)

export const createImportSourceSchema = z.object({
  orgSlug,
  name: z.string().trim().min(1, 'Give the source a name').max(80),
  format: z.enum(IMPORT_FORMATS),
})
export type CreateImportSourceInput = z.infer<typeof createImportSourceSchema>

export const requestSyncSchema = z.object({ orgSlug, sourceId: id })
export type RequestSyncInput = z.infer<typeof requestSyncSchema>

export const updateScheduleSchema = z.object({
  orgSlug,
  sourceId: id,
  schedule: z
    .string()
    .trim()
    .max(20)
    .transform((v) => v || null)
    .refine((v) => v === null || scheduleMs(v) !== null, `Use ${SCHEDULE_HINT}, or leave empty for none`),
})
export type UpdateScheduleInput = z.infer<typeof updateScheduleSchema>

/** Environments a source can give the identities it does not label ('unknown' means: no setting). */
export const SOURCE_ENVIRONMENTS = ['production', 'staging', 'development', 'test'] as const
export type SourceEnvironment = (typeof SOURCE_ENVIRONMENTS)[number]

/** The source's environment for identities it does not label (Source.config.defaultEnvironment), or null. */
export function sourceEnvironmentOf(config: Record<string, unknown>): SourceEnvironment | null {
  const v = config.defaultEnvironment
  return (SOURCE_ENVIRONMENTS as readonly unknown[]).includes(v) ? (v as SourceEnvironment) : null
}

export const updateSourceEnvironmentSchema = z.object({
  orgSlug,
  sourceId: id,
  environment: z.enum([...SOURCE_ENVIRONMENTS, 'unknown'], { error: 'Choose production, staging, development, test or unknown' }),
})
export type UpdateSourceEnvironmentInput = z.infer<typeof updateSourceEnvironmentSchema>

export const startImportSchema = z.object({
  orgSlug,
  uploadId: z.string().regex(/^[a-f0-9]{32}$/, 'Upload the file again'),
  allOrNothing: z.boolean().default(false),
  /** full: the file is the source's whole inventory, so identities missing from it are marked deleted */
  mode: z.enum(['full', 'partial']).default('partial'),
})
export type StartImportInput = z.infer<typeof startImportSchema>

export const uploadQuerySchema = z.object({
  format: z.enum(IMPORT_FORMATS, { error: 'Choose a format' }),
  sourceId: id,
  name: z.string().max(255).default('upload'),
})
