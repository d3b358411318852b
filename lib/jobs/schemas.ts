import { z } from 'zod'
import { pageParams } from '@/components/data-table/search-params'

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'retrying', 'failed', 'canceled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]

export const jobListSchema = z.object({
  status: z.enum(JOB_STATUSES).optional().catch(undefined),
  type: z
    .string()
    .regex(/^[a-z_]{1,40}$/)
    .optional()
    .catch(undefined),
  ...pageParams(50),
})
export type JobListParams = z.infer<typeof jobListSchema>

/** Exponential backoff with full jitter: attempt 1 → up to 2 s, 2 → 4 s … capped at 5 minutes. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(300_000, 1000 * 2 ** Math.max(1, attempt))
  return Math.max(500, Math.floor(random() * cap))
}
