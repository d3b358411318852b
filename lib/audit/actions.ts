'use server'
import { z } from 'zod'
import { orgAction } from '@/lib/action'
import { verifyAuditChain } from '@/lib/audit/queries'

export const verifyAuditChainAction = orgAction({
  schema: z.object({ orgSlug: z.string() }),
  permission: 'audit:verify',
  run: async ({ ctx }) => verifyAuditChain(ctx),
})
