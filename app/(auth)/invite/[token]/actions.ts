'use server'
import { unstable_rethrow } from 'next/navigation'
import { z } from 'zod'
import type { ActionResult } from '@/lib/action'
import { getCurrentUser } from '@/lib/auth/session'
import { AppError, mapPrismaError } from '@/lib/errors'
import { acceptInvitation } from '@/lib/members/invitations'

const acceptSchema = z.object({ token: z.string().max(200) })

/** Not an organization action: the caller is not a member yet. The session proves who they are; the token names the invitation. */
export async function acceptInvitationAction(raw: unknown): Promise<ActionResult<{ orgSlug: string; role: string }>> {
  try {
    const parsed = acceptSchema.safeParse(raw)
    if (!parsed.success) return { ok: false, error: 'This invitation link is not valid.' }
    const user = await getCurrentUser()
    if (!user) return { ok: false, error: 'Sign in to continue.' }
    return { ok: true, data: await acceptInvitation(user, parsed.data.token) }
  } catch (err) {
    unstable_rethrow(err)
    const mapped = mapPrismaError(err)
    if (mapped instanceof AppError) return { ok: false, error: mapped.message }
    console.error('accepting an invitation failed', err)
    return { ok: false, error: 'Something went wrong on our side. Nothing was changed; try again.' }
  }
}
