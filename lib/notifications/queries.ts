import 'server-only'
import type { UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import type { InboxListParams } from '@/lib/notifications/schemas'

const PAGE = 50

/** Everyone has an inbox: only their own notifications in this organization. */
export async function listNotifications(ctx: UserCtx, p: InboxListParams) {
  const where = { orgId: ctx.org.id, userId: ctx.user.id, ...(p.filter === 'unread' ? { readAt: null } : {}) }
  const [rows, total, unread] = await Promise.all([
    db.notification.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: (p.page - 1) * (p.size ?? PAGE), take: p.size ?? PAGE }),
    db.notification.count({ where }),
    countUnread(ctx),
  ])
  return { rows, total, unread, pageSize: p.size ?? PAGE }
}

export async function countUnread(ctx: UserCtx) {
  return db.notification.count({ where: { orgId: ctx.org.id, userId: ctx.user.id, readAt: null } })
}
