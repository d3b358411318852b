import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SMTPServer } from 'smtp-server'

// A real SMTP server on loopback, as in notifications.test.ts: SMTP_URL is set before the app's env is first read.
type Mail = { to: string[]; data: string }
const received: Mail[] = []
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    let data = ''
    stream.on('data', (c: Buffer) => (data += c.toString('utf8')))
    stream.on('end', () => {
      received.push({ to: session.envelope.rcptTo.map((r) => r.address), data })
      callback()
    })
  },
})

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
  rs: typeof import('@/lib/report-schedules/mutations')
  rq: typeof import('@/lib/report-schedules/queries')
  jobs: typeof import('@/lib/report-schedules/jobs')
  errors: typeof import('@/lib/errors')
  registry: typeof import('@/lib/jobs/registry')
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
    rs: await import('@/lib/report-schedules/mutations'),
    rq: await import('@/lib/report-schedules/queries'),
    jobs: await import('@/lib/report-schedules/jobs'),
    errors: await import('@/lib/errors'),
    registry: await import('@/lib/jobs/registry'),
  }
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const mailsTo = (email: string) => received.filter((r) => r.to.includes(email)).map((r) => readable(r.data))

describe(`scheduled reports (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  it('an admin schedules the weekly inventory snapshot; it is e-mailed once a week as a link to the named people, audited', async () => {
    const { db, drainJobs, fx, rs, rq, jobs } = m
    const { org, people, ctx } = await fx.createOrg()
    const s = await rs.createReportSchedule(ctx('admin'), { kind: 'inventory-weekly', recipientIds: [people.auditor.id, people.governance.id] })
    const created = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: 'report-schedule.create' } })
    expect(created).toMatchObject({ targetId: s.id, actorId: people.admin.id, targetLabel: 'Inventory snapshot, every week (Mondays, UTC)' })
    expect(JSON.parse(created.details)).toEqual({
      report: 'inventory',
      cadence: 'weekly',
      recipients: expect.arrayContaining([
        { id: people.auditor.id, name: people.auditor.name },
        { id: people.governance.id, name: people.governance.name },
      ]),
    })
    expect((await rq.listReportSchedules(ctx('admin'))).map((r) => r.recipients.map((p) => p.email).sort())).toEqual([
      [people.auditor.email, people.governance.email].sort(),
    ])

    // The worker runs this scheduler every minute.
    expect(m.registry.SCHEDULERS).toContain(jobs.reportSchedulesScheduler)
    // The week it was made in is not due; the next week is, once, however often the scheduler runs.
    await jobs.reportSchedulesScheduler.run(new Date())
    expect(await db.job.count({ where: { orgId: org.id, type: 'send_scheduled_report' } })).toBe(0)
    const nextWeek = new Date(Date.now() + 7 * 86_400_000)
    await jobs.reportSchedulesScheduler.run(nextWeek)
    await jobs.reportSchedulesScheduler.run(new Date(nextWeek.getTime() + 60_000))
    expect(await db.job.count({ where: { orgId: org.id, type: 'send_scheduled_report' } })).toBe(1)
    await drainJobs()

    const link = `http://localhost:3000/api/orgs/${org.slug}/reports/inventory`
    for (const who of [people.auditor, people.governance]) {
      const [mail, ...more] = mailsTo(who.email)
      expect(more).toHaveLength(0)
      expect(mail).toMatch(/Subject: \[Custodian\] Inventory snapshot \(weekly, week-of-\d{4}-\d{2}-\d{2}\)/)
      expect(mail).toContain(`Open in Custodian: ${link}`)
    }
    expect(mailsTo(people.admin.email)).toHaveLength(0)
    const sent = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: 'report-schedule.send' } })
    expect(sent.actorType).toBe('system')
    expect(JSON.parse(sent.details)).toMatchObject({ report: 'inventory', link: `/api/orgs/${org.slug}/reports/inventory` })
    expect((await db.reportSchedule.findUniqueOrThrow({ where: { id: s.id } })).lastSentAt).not.toBeNull()
  })

  it('e-mails the evidence pack link when a campaign closes, to people who may still download it', async () => {
    const { db, drainJobs, fx, rs, jobs } = m
    const { org, people, ctx } = await fx.createOrg()
    await rs.createReportSchedule(ctx('admin'), { kind: 'evidence-on-close', recipientIds: [people.auditor.id, people.admin.id] })
    // The admin becomes a member before the campaign closes: they no longer receive reports.
    await db.membership.updateMany({ where: { orgId: org.id, userId: people.admin.id }, data: { role: 'member' } })
    const open = await db.campaign.create({ data: { orgId: org.id, name: 'Q4 still open', type: 'identity', status: 'active' } })
    const closed = await db.campaign.create({
      data: { orgId: org.id, name: 'Q3 service accounts', type: 'identity', status: 'closed', launchedAt: new Date(), closedAt: new Date() },
    })
    await jobs.reportSchedulesScheduler.run(new Date())
    // The schedule has the worker make the pack (never the web process at download time), then checks back for it.
    await drainJobs()
    expect(mailsTo(people.auditor.email)).toHaveLength(0)
    const pack = await db.reportExport.findFirstOrThrow({ where: { orgId: org.id, kind: 'evidence-pack' } })
    expect(pack).toMatchObject({ status: 'ready', format: 'zip', requestedById: people.admin.id })
    expect(JSON.parse(pack.params)).toMatchObject({ kind: 'evidence-pack', campaignId: closed.id })
    const dueNow = () => db.job.updateMany({ where: { orgId: org.id, type: 'send_scheduled_report', status: 'queued' }, data: { runAt: new Date() } })
    await dueNow()
    await drainJobs()
    const [mail, ...more] = mailsTo(people.auditor.email)
    expect(more).toHaveLength(0)
    expect(mail).toContain('Subject: [Custodian] Evidence pack: Q3 service accounts')
    expect(mail).toContain(`Open in Custodian: http://localhost:3000/api/orgs/${org.slug}/reports/exports/${pack.id}`)
    expect(mail).not.toContain(open.id)
    expect(mailsTo(people.admin.email)).toHaveLength(0)
    // The link serves the pack to the auditor (who did not start it), audited with the manifest's hash.
    const { downloadExport } = await import('@/lib/reports/exports')
    const file = await downloadExport(ctx('auditor'), pack.id)
    expect(file.filename).toMatch(/\.zip$/)
    await file.body.cancel()
    const download = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: 'report.download', targetId: pack.id } })
    expect(JSON.parse(download.details)).toMatchObject({ report: 'evidence-pack', manifestSha256: expect.any(String) })
    // Running again neither makes a second pack nor sends it twice.
    await jobs.reportSchedulesScheduler.run(new Date())
    await dueNow()
    await drainJobs()
    expect(mailsTo(people.auditor.email)).toHaveLength(1)
    expect(await db.reportExport.count({ where: { orgId: org.id, kind: 'evidence-pack' } })).toBe(1)
  })

  it('a scheduled evidence pack that cannot be made is reported to the recipients, with where to make it again', async () => {
    const { db, drainJobs, fx, rs, jobs } = m
    const { org, people, ctx } = await fx.createOrg()
    await rs.createReportSchedule(ctx('admin'), { kind: 'evidence-on-close', recipientIds: [people.auditor.id] })
    await db.campaign.create({ data: { orgId: org.id, name: 'Q2 bots', type: 'identity', status: 'closed', closedAt: new Date(), launchedAt: new Date() } })
    await jobs.reportSchedulesScheduler.run(new Date())
    // The first run queues the pack; it fails before the worker gets to it (as a crash mid-pack would leave it).
    const first = await db.job.findFirstOrThrow({ where: { orgId: org.id, type: 'send_scheduled_report' } })
    await drainJobs(undefined, 1)
    expect(await db.job.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ status: 'succeeded' })
    await db.reportExport.updateMany({ where: { orgId: org.id }, data: { status: 'failed', error: 'boom' } })
    await db.job.updateMany({ where: { orgId: org.id, type: 'send_scheduled_report', status: 'queued' }, data: { runAt: new Date() } })
    await drainJobs()
    const [mail] = mailsTo(people.auditor.email)
    expect(mail).toContain('Subject: [Custodian] Evidence pack not made: Q2 bots')
    expect(mail).toContain(`Open in Custodian: http://localhost:3000/${org.slug}/reports`)
  })

  it('only admins schedule; recipients are members who download reports; another organization’s schedule is not found', async () => {
    const { db, fx, rs, errors } = m
    const a = await fx.createOrg()
    const b = await fx.createOrg()
    await expect(rs.createReportSchedule(a.ctx('governance'), { kind: 'inventory-monthly', recipientIds: [a.people.auditor.id] })).rejects.toBeInstanceOf(
      errors.ForbiddenError,
    )
    await expect(rs.createReportSchedule(a.ctx('admin'), { kind: 'inventory-monthly', recipientIds: [b.people.auditor.id] })).rejects.toBeInstanceOf(
      errors.ForeignReferenceError,
    )
    await expect(rs.createReportSchedule(a.ctx('admin'), { kind: 'inventory-monthly', recipientIds: [a.people.member.id] })).rejects.toThrow(
      'Reports can only be e-mailed to active admins, governance members and auditors.',
    )
    expect(await db.reportSchedule.count({ where: { orgId: a.org.id } })).toBe(0)
    const s = await rs.createReportSchedule(b.ctx('admin'), { kind: 'inventory-monthly', recipientIds: [b.people.auditor.id] })
    await expect(rs.deleteReportSchedule(a.ctx('admin'), { scheduleId: s.id })).rejects.toBeInstanceOf(errors.NotFoundError)
    await rs.deleteReportSchedule(b.ctx('admin'), { scheduleId: s.id })
    expect(await db.reportSchedule.count({ where: { id: s.id } })).toBe(0)
    const del = await db.auditEvent.findFirstOrThrow({ where: { orgId: b.org.id, action: 'report-schedule.delete' } })
    expect(JSON.parse(del.details)).toMatchObject({
      report: 'inventory',
      cadence: 'monthly',
      recipients: [{ id: b.people.auditor.id, name: b.people.auditor.name }],
    })
  })
})
