import 'server-only'
import type { Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { enqueueJob } from '@/lib/jobs/queue'
import { sendEmailJob } from '@/lib/notifications/jobs'

export type NotificationInput = {
  orgId: string
  userId: string
  kind: string
  title: string
  body?: string | null
  /** a path inside the app, e.g. /acme/my */
  link?: string | null
}

/**
 * Writes in-app notifications in the caller's transaction; with SMTP configured, each also gets a durable
 * send_email job (retried by the worker), so a mail server outage never fails or slows the change itself.
 */
export async function notify(tx: Tx, items: NotificationInput[]) {
  const smtp = env().smtpUrl !== null
  for (const n of items) {
    const row = await tx.notification.create({
      data: { orgId: n.orgId, userId: n.userId, kind: n.kind, title: n.title.slice(0, 200), body: n.body?.slice(0, 2000) ?? null, link: n.link ?? null },
      select: { id: true },
    })
    if (smtp) {
      await enqueueJob(tx, sendEmailJob, { notificationId: row.id }, { orgId: n.orgId })
    }
  }
}
