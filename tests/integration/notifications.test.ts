import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'

// A real SMTP server on loopback. SMTP_URL must be set before the app's env is first read, so the app's
// modules are imported dynamically after the server listens.
type Mail = { from: string; to: string[]; data: string }
const received: Mail[] = []
let failNext = 0
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    let data = ''
    stream.on('data', (c: Buffer) => (data += c.toString('utf8')))
    stream.on('end', () => {
      if (failNext > 0) {
        failNext--
        const err = new Error('mailbox busy') as Error & { responseCode: number }
        err.responseCode = 451
        return callback(err)
      }
      received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data })
      callback()
    })
  },
})

/** Unfolds headers and decodes quoted-printable, enough to read a plain-text message. */
function readable(raw: string) {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '')
  return Buffer.from(
    unfolded.replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8')
}

let m: {
  db: typeof import('@/lib/db').db
  drainJobs: typeof import('@/lib/jobs/worker').drainJobs
  fx: typeof import('./fixtures')
  own: typeof import('@/lib/ownership/mutations')
  nq: typeof import('@/lib/notifications/queries')
  nm: typeof import('@/lib/notifications/mutations')
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  process.env.SMTP_URL = `smtp://127.0.0.1:${port}?ignoreTLS=true`
  process.env.SMTP_FROM = 'Custodian Test <custodian@test.example>'
  m = {
    db: (await import('@/lib/db')).db,
    drainJobs: (await import('@/lib/jobs/worker')).drainJobs,
    fx: await import('./fixtures'),
    own: await import('@/lib/ownership/mutations'),
    nq: await import('@/lib/notifications/queries'),
    nm: await import('@/lib/notifications/mutations'),
  }
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe(`notifications (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  it('puts a notification in the inbox and e-mails it from a durable send_email job', async () => {
    const { db, drainJobs, fx, own, nq } = m
    const { org, people, ctx, source } = await fx.createOrg()
    const i = await fx.addIdentity(org.id, source.id, { ownerId: people.member.id, name: 'billing-exporter' })
    await own.requestTransfer(ctx('member'), { identityId: i.id, toUserId: people.governance.id, note: 'new team' })
    const [n] = await db.notification.findMany({ where: { orgId: org.id, userId: people.governance.id } })
    expect(n).toMatchObject({ kind: 'transfer.requested', readAt: null, emailedAt: null, link: `/${org.slug}/my` })
    expect(await nq.countUnread(ctx('governance'))).toBe(1)
    // nothing was sent inline: the job sends it
    expect(received.filter((r) => r.to.includes(people.governance.email))).toHaveLength(0)
    const job = await db.job.findUniqueOrThrow({ where: { idempotencyKey: `send_email:${n.id}` } })
    expect(job.type).toBe('send_email')
    await drainJobs()
    const mail = received.find((r) => r.to.includes(people.governance.email))
    expect(mail).toBeDefined()
    expect(mail!.from).toBe('custodian@test.example')
    const text = readable(mail!.data)
    expect(text).toMatch(/Subject: \[Custodian\] .* wants to hand billing-exporter to you/)
    expect(text).toContain(`Open in Custodian: http://localhost:3000/${org.slug}/my`)
    expect(text).toContain('Note: “new team”')
    expect((await db.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt).not.toBeNull()
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'succeeded' })
  })

  it('retries when the mail server refuses for a while, and sends exactly once when it recovers', async () => {
    const { db, drainJobs, fx, own } = m
    const { org, people, ctx, source } = await fx.createOrg()
    const i = await fx.addIdentity(org.id, source.id)
    failNext = 1
    await own.assignOwner(ctx('admin'), { identityIds: [i.id], fields: { ownerId: people.member.id } })
    const n = await db.notification.findFirstOrThrow({ where: { orgId: org.id, userId: people.member.id } })
    await drainJobs()
    const job = await db.job.findUniqueOrThrow({ where: { idempotencyKey: `send_email:${n.id}` } })
    expect(job).toMatchObject({ status: 'retrying', attempts: 1 })
    expect(job.lastError).toMatch(/mailbox busy/)
    await db.job.update({ where: { id: job.id }, data: { runAt: new Date(Date.now() - 1000) } })
    await drainJobs()
    expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(received.filter((r) => r.to.includes(people.member.email))).toHaveLength(1)
  })

  it('marks read only the caller’s own notifications in this org', async () => {
    const { db, fx, nq, nm } = m
    const { org, people, ctx } = await fx.createOrg()
    const other = await fx.createOrg()
    const mk = (orgId: string, userId: string) => db.notification.create({ data: { orgId, userId, kind: 'ownership.assigned', title: 't' } })
    const mine = await mk(org.id, people.member.id)
    await mk(org.id, people.member.id)
    const theirs = await mk(org.id, people.admin.id)
    const foreign = await mk(other.org.id, other.people.member.id)
    expect(await nm.markNotificationsRead(ctx('member'), [mine.id, theirs.id, foreign.id])).toEqual({ marked: 1 })
    expect((await nq.listNotifications(ctx('member'), { filter: 'unread', page: 1 })).total).toBe(1)
    expect(await nm.markNotificationsRead(ctx('member'))).toEqual({ marked: 1 })
    expect(await nq.countUnread(ctx('member'))).toBe(0)
    expect((await db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).readAt).toBeNull()
    expect((await db.notification.findUniqueOrThrow({ where: { id: foreign.id } })).readAt).toBeNull()
  })
})
