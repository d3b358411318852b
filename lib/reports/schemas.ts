import { z } from 'zod'
import { ValidationError } from '@/lib/errors'

/** Longest audit-log range one download covers: a year (and a leap day). Longer ranges go in several downloads. */
export const MAX_RANGE_DAYS = 366
const DAY = 86_400_000

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-01-31')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'Not a date')

/** A range of whole UTC days, `to` included. */
export const rangeSchema = z
  .object({ from: day, to: day })
  .refine((r) => r.from <= r.to, { message: 'The start date is after the end date: swap them.', path: ['to'] })
  .refine((r) => Date.parse(`${r.to}T00:00:00Z`) - Date.parse(`${r.from}T00:00:00Z`) < MAX_RANGE_DAYS * DAY, {
    message: `A download covers at most ${MAX_RANGE_DAYS} days: choose a shorter range.`,
    path: ['to'],
  })
export type RangeInput = z.infer<typeof rangeSchema>

/** The instants a day range covers: [from 00:00 UTC, the day after `to` 00:00 UTC). */
export function rangeBounds(r: RangeInput): { from: Date; to: Date } {
  return { from: new Date(`${r.from}T00:00:00Z`), to: new Date(Date.parse(`${r.to}T00:00:00Z`) + DAY) }
}

const id = z.string().min(1).max(64)

// Dates arrive as free text and are checked by rangeSchema in the domain, which answers with one message a person can act on.
const loose = z.string().max(40).optional()
export const auditLogQuerySchema = z.object({ from: loose, to: loose, format: z.enum(['csv', 'jsonl']).default('csv') })
export const evidenceQuerySchema = z.object({ campaign: id, format: z.enum(['csv', 'pdf']).default('csv') })
/** A pack covers the campaign and an audit-log range (by default from its launch to today). */
export const packQuerySchema = z.object({ campaign: id, from: loose, to: loose })
export type LooseRange = { from?: string; to?: string }

/** A range from free input, or a ValidationError whose message says what to fix. */
export function parseRange(input: LooseRange, defaults: { from: string; to: string }): RangeInput {
  const parsed = rangeSchema.safeParse({ from: input.from || defaults.from, to: input.to || defaults.to })
  if (parsed.success) return parsed.data
  const fieldErrors: Record<string, string[]> = {}
  for (const i of parsed.error.issues) (fieldErrors[String(i.path[0] ?? 'range')] ??= []).push(i.message)
  const first = parsed.error.issues[0]
  throw new ValidationError(
    first.path[0] === 'from' || first.path[0] === 'to' ? `${first.path[0] === 'from' ? 'Start' : 'End'} date: ${first.message}` : first.message,
    fieldErrors,
  )
}

/** What a background export writes: the same reports and parameters as the streamed downloads. */
export const exportParamsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('inventory') }),
  z.object({ kind: z.literal('access') }),
  z.object({ kind: z.literal('audit-log'), format: z.enum(['csv', 'jsonl']).default('csv'), from: loose, to: loose }),
  z.object({ kind: z.literal('campaign-evidence'), campaign: id, format: z.enum(['csv', 'pdf']).optional() }),
  z.object({ kind: z.literal('evidence-pack'), campaign: id, from: loose, to: loose }),
])
export type ExportParams = z.infer<typeof exportParamsSchema>
export const EXPORT_KINDS = ['inventory', 'access', 'audit-log', 'campaign-evidence', 'evidence-pack'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

export const startExportSchema = z.object({ orgSlug: z.string().min(1).max(64), params: exportParamsSchema })
export const exportIdParams = z.object({ orgSlug: z.string().min(1).max(64), id })
