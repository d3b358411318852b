import 'server-only'
import { randomBytes } from 'node:crypto'
import { recordAudit } from '@/lib/audit/record'
import { db, type Tx } from '@/lib/db'
import { AppError } from '@/lib/errors'
import { OWNER_LEFT_RULE, SEVERITY_RANK } from '@/lib/findings/rules'
import { filterInWords } from '@/lib/inventory/queries'
import { identityFilterSchema } from '@/lib/inventory/schemas'
import { identityWhere } from '@/lib/inventory/where'
import { defineJob, PermanentJobError, type JobRun } from '@/lib/jobs/define'
import { auditActorOf } from '@/lib/jobs/requester'
import { notify } from '@/lib/notifications/notify'
import { applyOwnership, type ApplyCtx, type OwnershipRow, type OwnershipTarget } from '@/lib/ownership/apply'
import { activeMemberIds, assertAssignable, loadDirectory, loadSuggestionInputs } from '@/lib/ownership/directory'
import { BULK_BATCH, bulkAssignPayloadSchema, offboardPayloadSchema, type BulkAssignPayload } from '@/lib/ownership/schemas'
import { HIGH_CONFIDENCE, suggestOwners } from '@/lib/ownership/suggestions'
import { largeWrite } from '@/lib/sql/checkpoints'
import { beginWrite } from '@/lib/sql/prisma'

const TX = { timeout: 120_000, maxWait: 30_000 }
const ROW = { id: true, name: true, ownerId: true, backupOwnerId: true, teamId: true } as const

/** What a bulk assignment acts on, in words: "3 unowned identities matching kind: Bot · environment: production". */
export async function bulkTargetLabel(
  tx: Tx,
  orgId: string,
  mode: BulkAssignPayload['mode'],
  filter: Record<string, string>,
  me: string | null,
  count: number,
) {
  const words = await filterInWords(tx, orgId, filter, me)
  const what = `${count.toLocaleString('en-US')} ${mode === 'suggestions' ? 'unowned ' : ''}${count === 1 ? 'identity' : 'identities'}`
  return (words.length ? `${what} matching ${words.join(' · ')}` : what).slice(0, 300)
}

/**
 * Assigns ownership to every identity matching a filter, in keyset-ordered batches of BULK_BATCH. Each batch
 * commits its updates, audit rows and the job's resume point (cursor) together, so a crashed worker's
 * successor continues after the last committed batch: nothing is lost and nothing is done twice.
 */
export const bulkAssignJob = defineJob({
  type: 'bulk_assign',
  payload: bulkAssignPayloadSchema,
  key: (p, { orgId }) => `bulk_assign:${orgId}:${p.requestId}`,
  maxAttempts: 10,
  // A bulk assignment updates identities all over the file (5 Identity indexes hold the owner): 128 MiB of SQLite page
  // cache while it runs, given back after, as a sync does. Taken outside the batches' transactions.
  run: (args) => largeWrite(128, () => runBulkAssign(args)),
})

async function runBulkAssign({ ctx: system, job, payload, workerId, progress }: JobRun<BulkAssignPayload>) {
  let state = payload
  const org = system.org
  // The changes are the requester's: their audit rows name them.
  const ctx: ApplyCtx = state.requestedBy ? { org, actor: state.requestedBy } : await auditActorOf(system, job)
  const where = identityWhere(org.id, identityFilterSchema.parse(state.filter), {
    userId: state.userId,
    dormantDays: state.dormantDays,
    now: new Date(state.now),
  })
  const scope = state.mode === 'suggestions' ? { AND: [where, { ownerId: null }] } : where
  if (state.mode === 'fields') {
    try {
      await assertAssignable(db, system, state.fields)
    } catch (err) {
      // The chosen person left after the job was queued: retrying cannot help.
      if (err instanceof AppError) throw new PermanentJobError(err.message)
      throw err
    }
  }
  const dir = state.mode === 'suggestions' ? await loadDirectory(db, system) : null
  for (;;) {
    const { next, done } = await db.$transaction(async (tx) => {
      // Reads the batch, then writes it: the write lock first (SQLite), so a commit elsewhere in between cannot fail it.
      await beginWrite(tx)
      const rows = await tx.identity.findMany({
        where: state.cursor ? { AND: [scope, { id: { gt: state.cursor } }] } : scope,
        orderBy: { id: 'asc' },
        take: BULK_BATCH,
        select: { ...ROW, metadata: state.mode === 'suggestions' },
      })
      let changed = 0
      if (rows.length) {
        let targetOf: (r: OwnershipRow) => OwnershipTarget | null
        if (state.mode === 'fields') {
          const target: OwnershipTarget = { ...state.fields, origin: 'manual' }
          targetOf = () => target
        } else {
          const inputs = await loadSuggestionInputs(tx, system, rows as (OwnershipRow & { metadata: string })[])
          const picks = new Map<string, OwnershipTarget>()
          for (const r of rows) {
            const best = suggestOwners(inputs.get(r.id)!, dir!).find((s) => s.ownerId && s.confidence >= HIGH_CONFIDENCE)
            if (best) picks.set(r.id, { ownerId: best.ownerId, ...(best.teamId ? { teamId: best.teamId } : {}), origin: 'suggestion', reason: best.reason })
          }
          targetOf = (r) => (r.ownerId ? null : (picks.get(r.id) ?? null))
        }
        changed = (await applyOwnership(tx, ctx, rows, targetOf, { action: 'identity.assign-owner', details: { jobId: job.id } })).changed
      }
      const next = { ...state, cursor: rows.at(-1)?.id ?? state.cursor, scanned: state.scanned + rows.length, changed: state.changed + changed }
      const done = rows.length < BULK_BATCH
      if (done) {
        const me = await tx.user.findUnique({ where: { id: state.userId }, select: { name: true } })
        await recordAudit(tx, ctx, {
          action: state.mode === 'suggestions' ? 'identity.accept-suggestions' : 'identity.bulk-assign-owner',
          targetType: 'job',
          targetId: job.id,
          targetLabel: await bulkTargetLabel(tx, org.id, state.mode, state.filter, me?.name ?? null, next.scanned),
          details: {
            by: 'filter',
            filter: state.filter,
            scanned: next.scanned,
            changed: next.changed,
            ...(state.mode === 'fields' ? { fields: state.fields } : {}),
          },
        })
      }
      // The resume point commits with the batch; a worker that lost its lease rolls the batch back.
      const saved = await tx.job.updateMany({
        where: { id: job.id, orgId: org.id, lockedBy: workerId },
        data: { payload: JSON.stringify(next), progress: next.scanned },
      })
      if (saved.count !== 1) throw new Error('Another worker took over this job.')
      return { next, done }
    }, TX)
    state = next
    await progress(state.scanned)
    if (done) break
  }
  return { scanned: state.scanned, changed: state.changed }
}

/**
 * Offboarding: the leaver's identities fall to their backup owner, else the owning team's lead, else they
 * become unowned with an 'owner-left' finding (OWASP NHI1 Improper Offboarding). Every batch removes its rows
 * from the leaver's set, so a retry continues where the last committed batch stopped.
 */
export const offboardMemberJob = defineJob({
  type: 'offboard_member',
  payload: offboardPayloadSchema,
  // every removal or deactivation starts its own hand-over
  key: (p, { orgId }) => `offboard_member:${orgId}:${p.userId}:${randomBytes(6).toString('hex')}`,
  maxAttempts: 10,
  run: async ({ ctx: system, job, payload: p, workerId, progress }) => {
    const org = system.org
    const ctx: ApplyCtx = await auditActorOf(system, job)
    const [active, teams, admins] = await Promise.all([
      activeMemberIds(db, system),
      db.team.findMany({ where: { orgId: org.id }, select: { id: true, leadId: true } }),
      db.membership.findMany({ where: { orgId: org.id, status: 'active', role: 'admin', user: { active: true } }, select: { userId: true } }),
    ])
    active.delete(p.userId)
    const leadOf = new Map(teams.map((t) => [t.id, t.leadId && active.has(t.leadId) ? t.leadId : null]))
    let totals = { ...p.totals }
    for (;;) {
      const { next, done } = await db.$transaction(async (tx) => {
        await beginWrite(tx)
        const rows = await tx.identity.findMany({ where: { orgId: org.id, ownerId: p.userId }, orderBy: { id: 'asc' }, take: BULK_BATCH, select: ROW })
        const orphans: OwnershipRow[] = []
        const counts = { toBackup: 0, toLead: 0, orphaned: 0 }
        const targetOf = (r: OwnershipRow): OwnershipTarget => {
          if (r.backupOwnerId && active.has(r.backupOwnerId))
            return { ownerId: r.backupOwnerId, backupOwnerId: null, origin: 'fallback', reason: 'backup owner' }
          const lead = r.teamId ? leadOf.get(r.teamId) : null
          if (lead) return { ownerId: lead, origin: 'fallback', reason: 'owning team lead' }
          return { ownerId: null, origin: 'fallback', reason: 'no backup owner or team lead' }
        }
        for (const r of rows) {
          const t = targetOf(r)
          if (t.reason === 'backup owner') counts.toBackup++
          else if (t.ownerId) counts.toLead++
          else {
            counts.orphaned++
            orphans.push(r)
          }
        }
        const now = new Date()
        // Raised before the hand-over, whose findings pass then sees it (and raises no second "No owner" finding).
        for (const r of orphans) {
          const detail = `${p.leaverLabel} owned this identity and ${p.reason === 'deactivated' ? 'was deactivated' : 'left the organization'}; there was no active backup owner or team lead to take it over.`
          await tx.finding.upsert({
            where: { identityId_rule: { identityId: r.id, rule: OWNER_LEFT_RULE } },
            create: {
              orgId: org.id,
              identityId: r.id,
              rule: OWNER_LEFT_RULE,
              owaspCode: 'NHI1',
              severity: 'high',
              severityRank: SEVERITY_RANK.high,
              title: 'Owner left; nobody owns this identity',
              detail,
              firstSeenAt: now,
              lastSeenAt: now,
            },
            update: { status: 'open', lastSeenAt: now, resolvedAt: null, detail },
          })
        }
        await applyOwnership(tx, ctx, rows, targetOf, {
          action: 'identity.owner-fallback',
          details: { leaverId: p.userId, jobId: job.id },
          notifyKind: 'ownership.fallback',
          justification: `${p.leaverLabel} ${p.reason === 'deactivated' ? 'was deactivated' : 'left the organization'}`,
        })
        if (orphans.length) {
          await notify(
            tx,
            admins.map((a) => ({
              orgId: org.id,
              userId: a.userId,
              kind: 'ownership.orphaned',
              title: `${orphans.length} ${orphans.length === 1 ? 'identity' : 'identities'} left without an owner`,
              body: `${p.leaverLabel} ${p.reason === 'deactivated' ? 'was deactivated' : 'left'}; ${orphans.length} of their identities had no backup owner or team lead and are now unowned (OWASP NHI1).`,
              link: `/${org.slug}/identities?owner=unowned`,
            })),
          )
        }
        const next = {
          toBackup: totals.toBackup + counts.toBackup,
          toLead: totals.toLead + counts.toLead,
          orphaned: totals.orphaned + counts.orphaned,
          backupsCleared: totals.backupsCleared,
        }
        const done = rows.length < BULK_BATCH
        if (done) {
          const cleared = await tx.identity.updateMany({ where: { orgId: org.id, backupOwnerId: p.userId }, data: { backupOwnerId: null } })
          next.backupsCleared += cleared.count
          await recordAudit(tx, ctx, {
            action: 'member.offboard',
            targetType: 'user',
            targetId: p.userId,
            targetLabel: p.leaverLabel,
            details: { jobId: job.id, reason: p.reason, ...next },
          })
        }
        const saved = await tx.job.updateMany({
          where: { id: job.id, orgId: org.id, lockedBy: workerId },
          data: { payload: JSON.stringify({ ...p, totals: next }), progress: { increment: rows.length } },
        })
        if (saved.count !== 1) throw new Error('Another worker took over this job.')
        return { next, done }
      }, TX)
      totals = next
      const j = await db.job.findUnique({ where: { id: job.id }, select: { progress: true } })
      await progress(j?.progress ?? 0)
      if (done) break
    }
    return totals
  },
})
