import { z } from 'zod'

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
] as const

export const markReadSchema = z.object({
  orgSlug: z.string().min(1).max(64),
  /** omitted: mark every unread notification read */
  ids: z.array(z.string().regex(/^[a-z0-9_-]{1,40}$/i)).max(500).optional(),
})

export const inboxListSchema = z.object({
  filter: z.enum(['all', 'unread']).catch('all'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
})
export type InboxListParams = z.infer<typeof inboxListSchema>
