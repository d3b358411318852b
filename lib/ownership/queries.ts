import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { COUNT_CAP, getOrgSettings } from '@/lib/inventory/queries'
import { personSelect } from '@/lib/members/person'
import { prismaSql } from '@/lib/sql/prisma'
import { num, sql } from '@/lib/sql/sql'

const DAY = 86_400_000
export const MY_PAGE_SIZE = 50

/** At most this many due credentials are read per request: the card shows the oldest of them and counts "more than". */
export const DUE_CREDENTIAL_CAP = 200

/**
 * Everything "My identities" shows: what I own or back up (one page of it), what needs me, in a fixed number of queries,
 * each bounded whatever I own: the page is read in index order (riskScore, name, id) from my owned and my backup
 * identities separately and merged, the counts stop at COUNT_CAP (then shown as "more than"), and the due credentials at
 * DUE_CREDENTIAL_CAP.
 */
export async function getMyOverview(ctx: UserCtx, paging: number | { page: number; size: number }, now = new Date()) {
  assertCan(ctx, 'identity:read')
  const { page, size } = typeof paging === 'number' ? { page: paging, size: MY_PAGE_SIZE } : paging
  const settings = await getOrgSettings(ctx)
  const me = ctx.user.id
  const org = ctx.org.id
  const rotateBefore = new Date(now.getTime() - settings.rotationMaxDays * DAY)
  const expiresBefore = new Date(now.getTime() + 30 * DAY)
  const countLimit = Math.max(COUNT_CAP, page * size) + 1
  const [pageIds, ownedCount, backupCount, attestationDue, dueSample, reviewItems, reviewTotal, incoming, outgoing] = await Promise.all([
    myPageIds(ctx, (page - 1) * size, size),
    countUpTo(countLimit, sql`"Identity" WHERE "orgId" = ${org} AND "ownerId" = ${me} AND "status" <> 'deleted'`),
    // Backed up and not also owned: the two parts never overlap, so their counts add up.
    countUpTo(
      countLimit,
      sql`"Identity" WHERE "orgId" = ${org} AND "backupOwnerId" = ${me} AND "status" <> 'deleted' AND ("ownerId" IS NULL OR "ownerId" <> ${me})`,
    ),
    countUpTo(
      COUNT_CAP + 1,
      sql`"Identity" WHERE "orgId" = ${org} AND "ownerId" = ${me} AND "status" <> 'deleted' AND ("attestationDue" IS NULL OR "attestationDue" < ${now})`,
    ),
    // No order: the engine stops at the cap wherever it finds due credentials; the oldest of those are shown.
    prismaSql().query<{ id: string; createdAt: unknown }>(sql`
      SELECT c."id", c."createdAt" FROM "Identity" i JOIN "Credential" c ON c."identityId" = i."id"
      WHERE i."orgId" = ${org} AND (i."ownerId" = ${me} OR i."backupOwnerId" = ${me}) AND i."status" <> 'deleted'
        AND c."orgId" = ${org} AND c."status" = 'active'
        AND (c."lastRotatedAt" < ${rotateBefore} OR (c."lastRotatedAt" IS NULL AND c."createdAt" < ${rotateBefore}) OR c."expiresAt" < ${expiresBefore})
      LIMIT ${DUE_CREDENTIAL_CAP + 1}`),
    db.reviewItem.findMany({
      where: { orgId: org, reviewerId: me, status: 'pending' },
      orderBy: { createdAt: 'asc' },
      take: 10,
      select: { id: true, campaignId: true, campaign: { select: { name: true, dueAt: true } }, identity: { select: { id: true, name: true } } },
    }),
    countUpTo(COUNT_CAP + 1, sql`"ReviewItem" WHERE "orgId" = ${org} AND "reviewerId" = ${me} AND "status" = 'pending'`),
    db.ownershipTransfer.findMany({
      where: { orgId: org, toUserId: me, status: 'pending' },
      orderBy: { createdAt: 'desc' },
      take: 50,
      select: { id: true, note: true, createdAt: true, fromUserId: true, identity: { select: { id: true, name: true, kind: true } } },
    }),
    db.ownershipTransfer.findMany({
      where: { orgId: org, fromUserId: me, status: 'pending' },
      orderBy: { createdAt: 'desc' },
      take: 50,
      select: { id: true, createdAt: true, toUserId: true, identity: { select: { id: true, name: true } } },
    }),
  ])
  const oldestDue = dueSample
    .map((c) => ({ id: c.id, at: new Date(c.createdAt as string | number | Date).getTime() }))
    .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
    .slice(0, 10)
    .map((c) => c.id)
  const [rows, credentialRows, openCounts] = await Promise.all([
    pageIds.length
      ? db.identity.findMany({
          where: { orgId: ctx.org.id, id: { in: pageIds } },
          select: {
            id: true,
            name: true,
            kind: true,
            environment: true,
            riskScore: true,
            ownerId: true,
            owner: { select: personSelect(ctx.org.id) },
            lastAttestedAt: true,
            attestationDue: true,
            source: { select: { name: true } },
            findings: { where: { status: 'open' }, select: { id: true, title: true, severity: true, owaspCode: true }, orderBy: { severity: 'asc' }, take: 3 },
          },
        })
      : [],
    oldestDue.length
      ? db.credential.findMany({
          where: { orgId: ctx.org.id, id: { in: oldestDue } },
          select: { id: true, kind: true, label: true, createdAt: true, lastRotatedAt: true, expiresAt: true, identity: { select: { id: true, name: true } } },
        })
      : [],
    // Counted for this page's identities only: a relation _count in the select above groups every open finding of the database.
    pageIds.length
      ? db.finding.groupBy({ by: ['identityId'], where: { orgId: ctx.org.id, status: 'open', identityId: { in: pageIds } }, _count: { _all: true } })
      : [],
  ])
  const byId = new Map(rows.map((r) => [r.id, r]))
  const identities = pageIds.map((id) => byId.get(id)).filter((r): r is (typeof rows)[number] => !!r)
  const credById = new Map(credentialRows.map((c) => [c.id, c]))
  const credentials = oldestDue.map((id) => credById.get(id)).filter((c): c is (typeof credentialRows)[number] => !!c)
  const openOf = new Map(openCounts.map((r) => [r.identityId, r._count._all]))
  const userIds = [...new Set([...incoming.map((t) => t.fromUserId), ...outgoing.map((t) => t.toUserId)].filter((x): x is string => !!x))]
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }) : []
  const nameOf = new Map(users.map((u) => [u.id, u.name]))
  const ownedAtLeast = ownedCount >= countLimit
  const backupAtLeast = backupCount >= countLimit
  return {
    identities: identities.map((i) => ({ ...i, _count: { findings: openOf.get(i.id) ?? 0 } })),
    total: ownedCount + backupCount,
    /** the counts stopped at their cap: more than `n - 1` match */
    totalAtLeast: ownedAtLeast || backupAtLeast,
    owned: ownedCount,
    ownedAtLeast,
    backup: backupCount,
    backupAtLeast,
    attestationDue,
    attestationDueAtLeast: attestationDue > COUNT_CAP,
    credentials,
    credentialTotal: dueSample.length,
    credentialTotalAtLeast: dueSample.length > DUE_CREDENTIAL_CAP,
    reviewItems,
    reviewTotal,
    reviewTotalAtLeast: reviewTotal > COUNT_CAP,
    incoming: incoming.map((t) => ({ ...t, fromName: t.fromUserId ? (nameOf.get(t.fromUserId) ?? 'someone') : 'someone' })),
    outgoing: outgoing.map((t) => ({ ...t, toName: nameOf.get(t.toUserId) ?? 'someone' })),
    settings,
  }
}

/**
 * One page of my identities' ids in the page's order: the first offset + size of my owned and of my backup identities,
 * each read from its index in that order (riskScore DESC, name, id), merged by the database. Never sorts all of them.
 */
/** COUNT(*) of `from` (a table and its WHERE), stopping at limit rows: Prisma's count with `take` sorts every match by id first. */
async function countUpTo(limit: number, from: ReturnType<typeof sql>): Promise<number> {
  const [row] = await prismaSql().query<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "x" FROM ${from} LIMIT ${limit}) AS "c"`)
  return num(row?.n)
}

async function myPageIds(ctx: UserCtx, offset: number, size: number): Promise<string[]> {
  const org = ctx.org.id
  const me = ctx.user.id
  const n = offset + size
  const rows = await prismaSql().query<{ id: string }>(sql`
    SELECT "id" FROM (
      SELECT * FROM (SELECT "id", "riskScore", "name" FROM "Identity" WHERE "orgId" = ${org} AND "ownerId" = ${me} AND "status" <> 'deleted'
                     ORDER BY "riskScore" DESC, "name", "id" LIMIT ${n}) AS o
      UNION ALL
      SELECT * FROM (SELECT "id", "riskScore", "name" FROM "Identity" WHERE "orgId" = ${org} AND "backupOwnerId" = ${me} AND "status" <> 'deleted'
                       AND ("ownerId" IS NULL OR "ownerId" <> ${me})
                     ORDER BY "riskScore" DESC, "name", "id" LIMIT ${n}) AS b
    ) AS m ORDER BY "riskScore" DESC, "name", "id" LIMIT ${size} OFFSET ${offset}`)
  return rows.map((r) => r.id)
}

/** People and teams to choose from when assigning (active members only). */
export async function listAssignees(ctx: UserCtx) {
  const [people, teams] = await Promise.all([
    db.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active', user: { active: true } },
      select: { user: { select: { id: true, name: true, email: true } } },
      orderBy: { user: { name: 'asc' } },
    }),
    db.team.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ])
  return { people: people.map((p) => p.user), teams }
}

export async function pendingTransferFor(ctx: UserCtx, identityId: string) {
  return db.ownershipTransfer.findFirst({ where: { orgId: ctx.org.id, identityId, status: 'pending' }, select: { id: true, toUserId: true, fromUserId: true } })
}
