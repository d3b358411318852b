import 'server-only'
import type { ActorRef, Org, SystemCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'

/**
 * Who the audit rows of a job's changes name: the person who asked for the job (their permission was checked when
 * they asked, and this is no context to act with: no role, no user), else the job's own system actor.
 */
export async function auditActorOf(ctx: SystemCtx, job: { createdById: string | null }): Promise<{ org: Org; actor: ActorRef }> {
  const user = job.createdById ? await db.user.findUnique({ where: { id: job.createdById }, select: { id: true, email: true } }) : null
  return { org: ctx.org, actor: user ? { type: 'user', id: user.id, label: user.email } : ctx.actor }
}
