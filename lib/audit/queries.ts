import 'server-only'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'
import type { ChainBreak } from '@/lib/audit/chain'
import { describeChange, ownershipIds, parseDetails } from '@/lib/audit/describe'
import type { AuditListParams } from '@/lib/audit/schemas'
import { unsafeVerifyChainOfOrg } from '@/lib/audit/verify'

export async function listAuditEvents(ctx: UserCtx, p: AuditListParams) {
  assertCan(ctx, 'audit:read')
  const where = {
    orgId: ctx.org.id,
    ...(p.action ? { action: { startsWith: p.action } } : {}),
    ...(p.actor ? { actorLabel: { contains: p.actor } } : {}),
    ...(p.target ? { targetId: p.target } : {}),
    ...(p.outcome ? { outcome: p.outcome } : {}),
    ...(p.from || p.to
      ? {
          at: {
            ...(p.from ? { gte: new Date(`${p.from}T00:00:00Z`) } : {}),
            ...(p.to ? { lt: new Date(new Date(`${p.to}T00:00:00Z`).getTime() + 86_400_000) } : {}),
          },
        }
      : {}),
  }
  const [rows, total, actions] = await Promise.all([
    db.auditEvent.findMany({ where, orderBy: { seq: 'desc' }, ...pageWindow(p) }),
    db.auditEvent.count({ where }),
    db.auditEvent.groupBy({ by: ['action'], where: { orgId: ctx.org.id }, orderBy: { action: 'asc' } }),
  ])
  return { rows: await withChanges(ctx, rows), total, actions: actions.map((a) => a.action) }
}

/** A target's audit history: actors and justifications are audit data, so it needs audit:read like the log itself. */
export async function listAuditForTarget(ctx: Ctx, targetId: string, take = 20) {
  assertCan(ctx, 'audit:read')
  return withChanges(ctx, await db.auditEvent.findMany({ where: { orgId: ctx.org.id, targetId }, orderBy: { seq: 'desc' }, take }))
}

/** The organization's events after a sequence number, oldest first: a feed a client can follow (the API's cursor is the seq). */
export async function listAuditEventsAfter(ctx: Ctx, p: { after: number; limit: number }) {
  assertCan(ctx, 'audit:read')
  const rows = await db.auditEvent.findMany({ where: { orgId: ctx.org.id, seq: { gt: p.after } }, orderBy: { seq: 'asc' }, take: p.limit })
  return withChanges(ctx, rows)
}

/** Adds what each row changed in words, looking up the people and teams of the page's rows in two queries. */
async function withChanges<T extends { details: string }>(ctx: Ctx, rows: T[]): Promise<(T & { change: string | null })[]> {
  const details = rows.map((r) => parseDetails(r.details))
  const ids = [...new Set(details.flatMap(ownershipIds))]
  const [members, teams] = ids.length
    ? await Promise.all([
        // Names of this organization's people and teams only: an id from elsewhere stays an id.
        db.membership.findMany({ where: { orgId: ctx.org.id, userId: { in: ids } }, select: { user: { select: { id: true, name: true } } } }),
        db.team.findMany({ where: { orgId: ctx.org.id, id: { in: ids } }, select: { id: true, name: true } }),
      ])
    : [[], []]
  const names = Object.fromEntries([...members.map((m) => [m.user.id, m.user.name]), ...teams.map((t) => [t.id, t.name])])
  return rows.map((r, i) => ({ ...r, change: describeChange(details[i], names) }))
}

/** Walks the whole chain and its signed checkpoints (lib/audit/verify.ts, the same walk as `npm run audit:verify`). */
export async function verifyAuditChain(ctx: UserCtx): Promise<{ ok: boolean; checked: number; break?: ChainBreak; checkpoints?: number }> {
  assertCan(ctx, 'audit:verify')
  const r = await unsafeVerifyChainOfOrg(ctx.org.id)
  return { ok: r.ok, checked: r.checked, ...(r.break ? { break: r.break } : {}), ...(r.checkpoints ? { checkpoints: r.checkpoints } : {}) }
}
