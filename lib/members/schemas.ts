import { z } from 'zod'

export const memberActionSchema = z.object({
  orgSlug: z.string().min(1).max(64),
  userId: z.string().regex(/^[a-z0-9_-]{1,40}$/i),
})
