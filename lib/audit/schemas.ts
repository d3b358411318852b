import { z } from 'zod'
import { pageParams } from '@/components/data-table/search-params'

export const auditListSchema = z.object({
  ...pageParams(50),
  action: z.string().trim().max(80).optional().catch(undefined),
  actor: z.string().trim().max(200).optional().catch(undefined),
  target: z.string().trim().max(100).optional().catch(undefined),
  outcome: z.enum(['success', 'denied', 'failure']).optional().catch(undefined),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
})
export type AuditListParams = z.infer<typeof auditListSchema>
