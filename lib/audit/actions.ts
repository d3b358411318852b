'use server'
import { z } from 'zod'
import { orgAction } from '@/lib/action'
import { createCheckpoint } from '@/lib/audit/checkpoints'
import { verifyAuditChain } from '@/lib/audit/queries'

export const verifyAuditChainAction = orgAction({
  schema: z.object({ orgSlug: z.string() }),
  permission: 'audit:verify',
  run: async ({ ctx }) => verifyAuditChain(ctx),
})

export const createCheckpointAction = orgAction({
  schema: z.object({ orgSlug: z.string() }),
  permission: 'audit:checkpoint',
  revalidate: '/audit',
  run: async ({ ctx }) => {
    const cp = await createCheckpoint(ctx)
    return cp ? { seq: cp.seq } : null
  },
})
