import 'server-only'
import type { UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'

/** Marking read is not a governance change, so it is not audited; it only ever touches the caller's own rows. */
export async function markNotificationsRead(ctx: UserCtx, ids?: string[]) {
  const r = await db.notification.updateMany({
    where: { orgId: ctx.org.id, userId: ctx.user.id, readAt: null, ...(ids ? { id: { in: ids } } : {}) },
    data: { readAt: new Date() },
  })
  return { marked: r.count }
}
