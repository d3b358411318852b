import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { defineJob, PermanentJobError, recordId } from '@/lib/jobs/define'
import { sendMail } from '@/lib/notifications/mailer'

// At-least-once: emailedAt is set after the server accepted the message, so a crash in between may send it
// twice but never loses it; a notification already e-mailed is skipped.
export const sendEmailJob = defineJob({
  type: 'send_email',
  payload: z.object({ notificationId: recordId }),
  key: (p) => `send_email:${p.notificationId}`,
  maxAttempts: 8,
  run: async ({ ctx, payload }) => {
    const n = await db.notification.findFirst({
      where: { id: payload.notificationId, orgId: ctx.org.id },
      select: {
        id: true,
        title: true,
        body: true,
        link: true,
        emailedAt: true,
        user: { select: { email: true, active: true } },
        org: { select: { name: true } },
      },
    })
    if (!n) return { skipped: 'notification deleted' }
    if (n.emailedAt) return { skipped: 'already sent' }
    if (!n.user.active) return { skipped: 'recipient deactivated' }
    if (!env().smtpUrl) throw new PermanentJobError('SMTP_URL is not configured')
    const link = n.link ? `${env().appUrl.replace(/\/$/, '')}${n.link}` : null
    const text = [n.body ?? n.title, link ? `\nOpen in Custodian: ${link}` : '', `\n— Custodian · ${n.org.name}`].join('\n')
    await sendMail({ to: n.user.email, subject: `[Custodian] ${n.title}`, text })
    await db.notification.updateMany({ where: { id: n.id, orgId: ctx.org.id }, data: { emailedAt: new Date() } })
    return { sent: n.user.email }
  },
})
