import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'
import { ConflictError, NotFoundError } from '@/lib/errors'
import type { JobListParams } from '@/lib/jobs/schemas'
import { describeJobTargets } from '@/lib/jobs/targets'
import { openKeyOf } from '@/lib/remediation/schemas'

/** The organization's jobs, filtered and paged on the server, with what each job acts on (looked up for the whole page at once). */
export async function listJobs(ctx: UserCtx, p: JobListParams) {
  assertCan(ctx, 'job:read')
  const where = { orgId: ctx.org.id, ...(p.status ? { status: p.status } : {}), ...(p.type ? { type: p.type } : {}) }
  const [rows, total, types, counts] = await Promise.all([
    db.job.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      ...pageWindow(p),
      select: {
        id: true,
        type: true,
        status: true,
        attempts: true,
        maxAttempts: true,
        lastError: true,
        progress: true,
        total: true,
        runAt: true,
        createdAt: true,
        finishedAt: true,
        updatedAt: true,
        result: true,
        payload: true,
        createdById: true,
      },
    }),
    db.job.count({ where }),
    db.job.groupBy({ by: ['type'], where: { orgId: ctx.org.id }, _count: { _all: true } }),
    db.job.groupBy({ by: ['status'], where: { orgId: ctx.org.id, ...(p.type ? { type: p.type } : {}) }, _count: { _all: true } }),
  ])
  const targets = await describeJobTargets(ctx, rows)
  return {
    rows: rows.map(({ payload: _payload, createdById: _by, ...r }) => ({
      ...r,
      runAt: r.runAt.toISOString(),
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      updatedAt: r.updatedAt.toISOString(),
      target: targets.get(r.id) ?? null,
    })),
    total,
    types: Object.fromEntries(types.map((t) => [t.type, t._count._all])) as Record<string, number>,
    statuses: Object.fromEntries(counts.map((t) => [t.status, t._count._all])) as Record<string, number>,
  }
}

/** Runs a failed job again from scratch (attempts reset, due now); its remediation goes back to pending. */
export async function retryJob(ctx: UserCtx, jobId: string) {
  assertCan(ctx, 'job:manage')
  return db.$transaction(async (tx) => {
    const job = await tx.job.findFirst({ where: { id: jobId, orgId: ctx.org.id } })
    if (!job) throw new NotFoundError('Job not found')
    if (job.status !== 'failed') throw new ConflictError(`Only a failed job can be retried; this one is ${job.status}.`)
    const rem = await tx.remediation.findFirst({ where: { orgId: ctx.org.id, jobId: job.id } })
    if (rem && rem.status === 'failed') {
      const key = openKeyOf(rem)
      const other = await tx.remediation.findUnique({ where: { openKey: key }, select: { id: true } })
      if (other) throw new ConflictError('Another remediation is already open for this target; it replaces this one.')
      await tx.remediation.update({ where: { id: rem.id, orgId: ctx.org.id }, data: { status: 'pending', openKey: key, lastError: null, completedAt: null } })
      if (rem.reviewItemId)
        await tx.reviewItem.updateMany({ where: { id: rem.reviewItemId, orgId: ctx.org.id }, data: { remediationStatus: 'pending', remediationError: null } })
    }
    const n = await tx.job.updateMany({
      where: { id: job.id, orgId: ctx.org.id, status: 'failed' },
      data: { status: 'queued', attempts: 0, runAt: new Date(), lastError: null, finishedAt: null, leaseUntil: null, lockedBy: null },
    })
    if (n.count !== 1) throw new ConflictError('The job changed a moment ago; reload and try again.')
    await recordAudit(tx, ctx, {
      action: 'job.retry',
      targetType: rem ? 'identity' : 'job',
      targetId: rem ? rem.identityId : job.id,
      targetLabel: job.type,
      details: { jobId: job.id, type: job.type, previousAttempts: job.attempts, lastError: job.lastError, ...(rem ? { remediationId: rem.id } : {}) },
    })
    return { id: job.id }
  })
}
