import { z } from 'zod'
import { pageParams } from '@/components/data-table/search-params'

export const NOTIFICATION_KINDS = [
  'ownership.assigned',
  'ownership.fallback',
  'ownership.orphaned',
  'transfer.requested',
  'transfer.accepted',
  'transfer.declined',
  'invitation.accepted',
  'member.role-changed',
  'owner-request.created',
  'owner-request.approved',
  'owner-request.rejected',
  'report.scheduled',
] as const

export const markReadSchema = z.object({
  orgSlug: z.string().min(1).max(64),
  /** omitted: mark every unread notification read */
  ids: z
    .array(z.string().regex(/^[a-z0-9_-]{1,40}$/i))
    .max(500)
    .optional(),
})

export const inboxListSchema = z.object({
  filter: z.enum(['all', 'unread']).catch('all'),
  ...pageParams(50),
})
/** The size may be left out (50). */
export type InboxListParams = Omit<z.infer<typeof inboxListSchema>, 'size'> & { size?: number }
