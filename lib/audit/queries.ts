import 'server-only'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { pageWindow } from '@/components/data-table/search-params'
import { db } from '@/lib/db'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import type { ChainBreak } from '@/lib/audit/chain'
import { describeChange, ownershipIds, parseDetails } from '@/lib/audit/describe'
import type { AuditListParams } from '@/lib/audit/schemas'
import { unsafeVerifyChainOfOrg } from '@/lib/audit/verify'

/** A filtered audit log counts up to this many events and then says "more than": never a count of millions per view. */
export const AUDIT_COUNT_CAP = 10_000

export async function listAuditEvents(ctx: UserCtx, p: AuditListParams) {
  assertCan(ctx, 'audit:read')
  const orgId = ctx.org.id
  const actions = await auditActions(orgId)
  if (!p.action && !p.actor && !p.target && !p.outcome && !p.from && !p.to) {
    // The whole log: an organization's seq runs 1, 2, 3… without gaps (each event's hash chains to the one before; events
    // are never deleted), so the total is the span of seq and page N ends (N-1) pages below the newest — two index seeks
    // and one 50-row range at any depth, where a count and an offset walked the whole log (2 s at 6,000,000 events).
    const [newest, oldest] = await Promise.all([
      db.auditEvent.findFirst({ where: { orgId }, orderBy: { seq: 'desc' }, select: { seq: true } }),
      db.auditEvent.findFirst({ where: { orgId }, orderBy: { seq: 'asc' }, select: { seq: true } }),
    ])
    const total = newest && oldest ? newest.seq - oldest.seq + 1 : 0
    const rows = newest
      ? await db.auditEvent.findMany({ where: { orgId, seq: { lte: newest.seq - (p.page - 1) * p.size } }, orderBy: { seq: 'desc' }, take: p.size })
      : []
    return { rows: await withChanges(ctx, rows), total, totalAtLeast: false, actions }
  }
  const where = {
    orgId,
    // The action filter names one action (the page's select) or the start of some (`review` for every review.* action):
    // either way the recorded actions it covers, so the (orgId, action, seq) index serves it in seq order.
    ...(p.action ? { action: { in: actions.filter((a) => a.startsWith(p.action!)) } } : {}),
    // The actor filter is a part of a name (an e-mail, a token's name): resolved to the labels the log holds that contain
    // it, ignoring case, so the (orgId, actorLabel, seq) index serves it in the page's order.
    ...(p.actor ? { actorLabel: { in: (await auditActorLabels(orgId)).filter((l) => l.toLowerCase().includes(p.actor!.toLowerCase())) } } : {}),
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
  const [rows, counted] = await Promise.all([
    db.auditEvent.findMany({ where, orderBy: { seq: 'desc' }, ...pageWindow(p) }),
    // In the page's order: a capped count left to Prisma is ordered by id, which sorts every match before the cap.
    db.auditEvent.count({ where, orderBy: { seq: 'desc' }, take: AUDIT_COUNT_CAP + 1 }),
  ])
  return { rows: await withChanges(ctx, rows), total: counted, totalAtLeast: counted > AUDIT_COUNT_CAP, actions }
}

/**
 * The actions an organization's log holds, for the filter: one index seek per distinct action on (orgId, action, seq)
 * (a loose index scan written as a recursive query; neither engine skips through an index by itself), where GROUP BY
 * read every event (1 s at 6,000,000). The same for the actors' labels on (orgId, actorLabel, seq).
 */
const auditActions = (orgId: string) => distinctValues(orgId, 'action')
/** The actors' labels the log holds (people's e-mails, tokens' names, the system's): as few as the actors. */
const auditActorLabels = (orgId: string) => distinctValues(orgId, 'actorLabel')

async function distinctValues(orgId: string, column: 'action' | 'actorLabel'): Promise<string[]> {
  const c = sql.ident(column)
  const rows = await prismaSql().query<{ v: string | null }>(
    sql`WITH RECURSIVE "d"("v") AS (
        SELECT (SELECT MIN(${c}) FROM "AuditEvent" WHERE "orgId" = ${orgId})
        UNION ALL
        SELECT (SELECT MIN(e.${c}) FROM "AuditEvent" e WHERE e."orgId" = ${orgId} AND e.${c} > "d"."v") FROM "d" WHERE "d"."v" IS NOT NULL
      )
      SELECT "v" FROM "d" WHERE "v" IS NOT NULL`,
  )
  return rows.map((r) => r.v!)
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
