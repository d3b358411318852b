import { z } from 'zod'

export const auditListSchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  size: z.coerce.number().int().refine((n) => [25, 50, 100].includes(n)).catch(50),
  action: z.string().trim().max(80).optional().catch(undefined),
  actor: z.string().trim().max(200).optional().catch(undefined),
  target: z.string().trim().max(100).optional().catch(undefined),
  outcome: z.enum(['success', 'denied', 'failure']).optional().catch(undefined),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
})
export type AuditListParams = z.infer<typeof auditListSchema>
