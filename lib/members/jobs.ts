import 'server-only'
import { z } from 'zod'
import { ROLE_LABELS, isRole } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { defineJob, PermanentJobError, recordId } from '@/lib/jobs/define'
import { invitationState } from '@/lib/members/schemas'
import { sha256, unseal } from '@/lib/crypto/seal'
import { sendMail } from '@/lib/notifications/mailer'

// An invitee may have no user (and so no inbox) yet: invitations get their own mail job instead of send_email.
// At-least-once like send_email; the sealed token is dropped from the payload once the server accepted the message.
export const sendInvitationJob = defineJob({
  type: 'send_invitation',
  // `sealed` is gone once sent or retired
  payload: z.object({ invitationId: recordId, sealed: z.string().optional() }),
  // one job per link: the sealed text differs for every link sent
  key: (p) => `send_invitation:${p.invitationId}:${sha256(p.sealed ?? '').slice(0, 16)}`,
  maxAttempts: 8,
  run: async ({ ctx, job, payload }) => {
    const orgId = ctx.org.id
    const drop = () => db.job.updateMany({ where: { id: job.id, orgId }, data: { payload: JSON.stringify({ invitationId: payload.invitationId }) } })
    const inv = await db.invitation.findFirst({
      where: { id: payload.invitationId, orgId },
      select: { id: true, email: true, role: true, status: true, expiresAt: true, tokenHash: true, invitedById: true, org: { select: { name: true } } },
    })
    if (!inv) return { skipped: 'invitation deleted' }
    const state = invitationState(inv)
    if (state !== 'pending') {
      await drop()
      return { skipped: `invitation ${state}` }
    }
    const token = payload.sealed ? unseal(payload.sealed, 'invitation-mail') : null
    if (!token)
      throw new PermanentJobError('The invitation link could not be read back (was CUSTODIAN_ENCRYPTION_KEY or AUTH_SECRET changed?); re-send the invitation.')
    if (sha256(token) !== inv.tokenHash) {
      await drop()
      return { skipped: 'superseded by a newer link' }
    }
    if (!env().smtpUrl) throw new PermanentJobError('SMTP_URL is not configured')
    const by = inv.invitedById ? await db.user.findUnique({ where: { id: inv.invitedById }, select: { name: true } }) : null
    const role = isRole(inv.role) ? ROLE_LABELS[inv.role] : inv.role
    const link = `${env().appUrl.replace(/\/$/, '')}/invite/${token}`
    const text = [
      `${by?.name ?? 'An admin'} invited you to ${inv.org.name} on Custodian, as ${role}.`,
      '',
      `Accept the invitation: ${link}`,
      '',
      `Sign in with this address (${inv.email}). The link works once and expires on ${inv.expiresAt.toISOString().slice(0, 10)}.`,
      `If you did not expect this invitation, ignore this e-mail.`,
      '',
      `— Custodian · ${inv.org.name}`,
    ].join('\n')
    await sendMail({ to: inv.email, subject: `[Custodian] You are invited to ${inv.org.name}`, text })
    await db.invitation.updateMany({ where: { id: inv.id, orgId }, data: { emailedAt: new Date() } })
    await drop()
    return { sent: inv.email }
  },
})

/** Every e-mail job of one invitation (one per link sent) shares this key prefix: revoking or re-sending retires them. */
export const invitationMailJobs = (invitationId: string) => ({
  type: sendInvitationJob.type,
  idempotencyKey: { startsWith: `send_invitation:${invitationId}:` },
})
