import 'server-only'
import nodemailer from 'nodemailer'
import { env } from '@/lib/env'

type Transport = ReturnType<typeof nodemailer.createTransport>
let cached: { url: string; transport: Transport } | null = null

/** One pooled transport per SMTP_URL (e.g. smtp://user:pass@mail.example:587 or smtps://...). */
export function mailTransport(): Transport | null {
  const url = env().smtpUrl
  if (!url) return null
  if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport(url) }
  return cached.transport
}

export async function sendMail(msg: { to: string; subject: string; text: string }) {
  const transport = mailTransport()
  if (!transport) throw new Error('SMTP_URL is not configured')
  return transport.sendMail({ from: env().smtpFrom, to: msg.to, subject: msg.subject, text: msg.text })
}
