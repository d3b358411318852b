import 'server-only'
import type { TokenPersonCtx } from '@/lib/auth/org-context'
import { isRole } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { ForbiddenError } from '@/lib/errors'
import type { TokenCtx } from '@/lib/api/authenticate'

/**
 * The token's person of record: the member who created it, still an active member of the token's organization. Where
 * the domain keeps a person (a campaign's creator, an export's requester, a decision's reviewer) a token call is
 * recorded against them; the token stays the actor, with its scopes as the permissions.
 */
export async function tokenPerson(ctx: TokenCtx): Promise<TokenCtx & TokenPersonCtx> {
  // An exchanged (federated) token acts as a workload: no member created it, so nobody could answer for the change.
  if (ctx.actor.type !== 'api_token')
    throw new ForbiddenError('A workload’s exchanged token has no person of record for this change: use an API token a member created.')
  const token = await db.apiToken.findFirst({ where: { id: ctx.actor.id, orgId: ctx.org.id }, select: { createdById: true } })
  const m = token?.createdById
    ? await db.membership.findFirst({
        where: { orgId: ctx.org.id, userId: token.createdById, status: 'active', user: { active: true } },
        select: { role: true, user: { select: { id: true, name: true, email: true } } },
      })
    : null
  if (!m || !isRole(m.role))
    throw new ForbiddenError(
      'The member who created this token is no longer active in the organization, so nobody answers for its changes: create a new token.',
    )
  return { ...ctx, actor: ctx.actor, user: m.user, personRole: m.role }
}
