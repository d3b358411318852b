import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { recordAudit } from '@/lib/audit/record'
import type { SystemCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import type { Identity } from '@/lib/generated/sqlite/client'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { insertRows, newId, queryIn } from '@/lib/sql/bulk'
import { largeWrite } from '@/lib/sql/checkpoints'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { campaignIdentityWhere, notifyReviewers } from './internal'
import { chooseReviewer, recommend, recommendGatewayReduce, type Recommendation } from './recommend'
import type { ReviewSnapshot } from './schemas'

const BATCH = 5000

/** What a launch writes to ReviewItemStage, and then moves into ReviewItem (with status, stage, version and remediation status). */
const STAGE_COLUMNS = [
  ['campaignId', 'text'],
  ['id', 'text'],
  ['orgId', 'text'],
  ['identityId', 'text'],
  ['grantId', 'text'],
  ['credentialId', 'text'],
  ['reviewerId', 'text'],
  ['snapshot', 'text'],
  ['recommendation', 'text'],
  ['recommendationReason', 'text'],
  ['privileged', 'bool'],
  ['identityName', 'text'],
  ['createdAt', 'date'],
] as const
const stageColumns = sql.join(STAGE_COLUMNS.map(([c]) => sql.ident(c)))

type GrantRow = {
  id: string
  identityId: string
  privileged: boolean
  lastUsedAt: Date | null
  usageReported: boolean
  /** a gateway rule's grant: its last use is the identity's last allowed call to the rule's route (every call is recorded) */
  gateway: boolean
  entitlement: { name: string; resource: { name: string; type: string } }
}

/** A MAX() of a date column: SQLite answers the stored milliseconds (a bigint), PostgreSQL a timestamp. */
function dateOfAggregate(v: Date | string | number | bigint | null): Date | null {
  if (v == null) return null
  if (v instanceof Date) return v
  if (typeof v === 'bigint' || typeof v === 'number' || /^\d+$/.test(v)) return new Date(Number(v))
  return new Date(v)
}

type EntitlementInfo = { name: string; resource: { name: string; type: string }; routeId: string | null }

/**
 * Active grants of these identities with entitlement and resource. The grants are read alone (one index range per
 * identity); their entitlements (a few thousand in an organization, shared by millions of grants) come from `entitlements`,
 * filled as new ones appear, instead of two primary-key lookups per grant in a join.
 */
async function readGrants(identityIds: string[], entitlements: Map<string, EntitlementInfo>): Promise<GrantRow[]> {
  type Row = { id: string; identityId: string; entitlementId: string; privileged: boolean | number; lastUsedAt: Date | null; usageReported: boolean | number }
  const s = prismaSql()
  // One row per identity with its grants as a JSON array (in entitlement order, the order of the (identityId,
  // entitlementId) key the rows were read in before): five times fewer rows through the client, a third of the time.
  const grantsJson =
    s.engine === 'postgresql'
      ? sql`json_agg(json_build_array(g."id", g."entitlementId", g."privileged", (EXTRACT(EPOCH FROM g."lastUsedAt") * 1000)::bigint, g."usageReported") ORDER BY g."entitlementId")::text`
      : sql`json_group_array(json_array(g."id", g."entitlementId", g."privileged", g."lastUsedAt", g."usageReported") ORDER BY g."entitlementId")`
  const perIdentity = await queryIn<{ identityId: string; grants: string }>(
    s,
    identityIds,
    (isIn) =>
      sql`SELECT g."identityId", ${grantsJson} AS "grants" FROM "Grant" g WHERE g."identityId" ${isIn} AND g."status" = 'active' GROUP BY g."identityId"`,
  )
  const rows: Row[] = []
  for (const r of perIdentity) {
    for (const [id, entitlementId, privileged, lastUsedAt, usageReported] of JSON.parse(r.grants) as [
      string,
      string,
      boolean | number,
      number | string | null,
      boolean | number,
    ][])
      rows.push({ id, identityId: r.identityId, entitlementId, privileged, lastUsedAt: dateOfAggregate(lastUsedAt), usageReported })
  }
  const missing = [...new Set(rows.map((r) => r.entitlementId))].filter((id) => !entitlements.has(id))
  const found = await queryIn<{ id: string; name: string; resource: string; resourceType: string; routeId: string | null }>(
    prismaSql(),
    missing,
    (isIn) => sql`SELECT e."id", e."name", r."name" AS "resource", r."type" AS "resourceType", gr."routeId"
       FROM "Entitlement" e JOIN "Resource" r ON r."id" = e."resourceId" LEFT JOIN "GatewayRule" gr ON gr."entitlementId" = e."id"
       WHERE e."id" ${isIn}`,
  )
  for (const e of found) entitlements.set(e.id, { name: e.name, resource: { name: e.resource, type: e.resourceType }, routeId: e.routeId })
  // A gateway grant's last use is the identity's last allowed call to the rule's route (every call is recorded).
  const gatewayRows = rows.filter((r) => entitlements.get(r.entitlementId)?.routeId)
  const lastCall = new Map<string, Date | null>()
  if (gatewayRows.length) {
    const routes = [...new Set(gatewayRows.map((r) => entitlements.get(r.entitlementId)!.routeId!))]
    const calls = await queryIn<{ identityId: string; routeId: string; at: Date | string | number | bigint | null }>(
      prismaSql(),
      [...new Set(gatewayRows.map((r) => r.identityId))],
      (isIn) => sql`SELECT gc."identityId", gc."routeId", MAX(gc."at") AS "at" FROM "GatewayCall" gc
         WHERE gc."identityId" ${isIn} AND gc."routeId" ${sql.isIn(routes)} AND gc."decision" = 'allow' GROUP BY gc."identityId", gc."routeId"`,
    )
    for (const c of calls) lastCall.set(`${c.identityId} ${c.routeId}`, dateOfAggregate(c.at))
  }
  return rows.map((r) => {
    const e = entitlements.get(r.entitlementId)!
    return {
      id: r.id,
      identityId: r.identityId,
      privileged: Boolean(r.privileged),
      lastUsedAt: e.routeId ? (lastCall.get(`${r.identityId} ${e.routeId}`) ?? null) : r.lastUsedAt,
      usageReported: e.routeId ? true : Boolean(r.usageReported),
      gateway: !!e.routeId,
      entitlement: { name: e.name, resource: e.resource },
    }
  })
}
type IdentityRow = Pick<
  Identity,
  'id' | 'name' | 'kind' | 'environment' | 'status' | 'lastUsedAt' | 'usageReported' | 'privileged' | 'ownerId' | 'backupOwnerId'
> & {
  source: { name: string }
  owner: { name: string } | null
  team: { name: string; leadId: string | null } | null
}

/**
 * The columns a review snapshot keeps, with source, owner and team names, in one join per 5,000 ids, in the
 * order of `ids` (Prisma's nested reads cost four queries per 900 ids and most of the launch's time).
 */
async function readIdentities(ids: string[]): Promise<IdentityRow[]> {
  type Row = Omit<IdentityRow, 'source' | 'owner' | 'team' | 'privileged' | 'usageReported' | 'lastUsedAt'> & {
    lastUsedAt: Date | string | number | null
    privileged: boolean | number
    usageReported: boolean | number
    sourceName: string
    ownerName: string | null
    teamId: string | null
    teamName: string | null
    teamLeadId: string | null
  }
  const rows = await queryIn<Row>(
    prismaSql(),
    ids,
    (isIn) => sql`SELECT i."id", i."name", i."kind", i."environment", i."status", i."lastUsedAt", i."usageReported", i."privileged", i."ownerId",
        i."backupOwnerId", i."teamId", s."name" AS "sourceName", o."name" AS "ownerName", t."name" AS "teamName", t."leadId" AS "teamLeadId"
      FROM "Identity" i JOIN "Source" s ON s."id" = i."sourceId" LEFT JOIN "User" o ON o."id" = i."ownerId" LEFT JOIN "Team" t ON t."id" = i."teamId"
      WHERE i."id" ${isIn}`,
  )
  const byId = new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        name: r.name,
        kind: r.kind,
        environment: r.environment,
        status: r.status,
        lastUsedAt: r.lastUsedAt === null ? null : new Date(r.lastUsedAt),
        usageReported: Boolean(r.usageReported),
        privileged: Boolean(r.privileged),
        ownerId: r.ownerId,
        backupOwnerId: r.backupOwnerId,
        source: { name: r.sourceName },
        owner: r.ownerId && r.ownerName !== null ? { name: r.ownerName } : null,
        team: r.teamId && r.teamName !== null ? { name: r.teamName, leadId: r.teamLeadId } : null,
      },
    ]),
  )
  return ids.flatMap((id) => byId.get(id) ?? [])
}

const GRANTS_IN_SNAPSHOT = 25
const FINDINGS_IN_SNAPSHOT = 10

/**
 * Snapshots the population into review items, 5,000 identities per batch: each batch reads the identities with
 * their grants, credentials and open findings in a handful of queries and writes its items to ReviewItemStage; the last
 * transaction publishes them all into ReviewItem at once. A retried launch first removes what the failed attempt
 * staged, so it never duplicates.
 */
export async function runLaunch(ctx: SystemCtx, campaignId: string, progress: (done: number, total?: number) => Promise<void>) {
  return largeWrite(256, () => launch(ctx, campaignId, progress))
}

async function launch(ctx: SystemCtx, campaignId: string, progress: (done: number, total?: number) => Promise<void>) {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId, orgId: ctx.org.id } })
  if (!campaign || campaign.status !== 'launching') return { skipped: `campaign is ${campaign?.status ?? 'gone'}` }
  const org = await db.organization.findUniqueOrThrow({ where: { id: campaign.orgId }, select: { settings: true, slug: true } })
  const settings = parseOrgSettings(org.settings)
  const now = Date.now()
  const members = await db.membership.findMany({
    where: { orgId: campaign.orgId, status: 'active', user: { active: true } },
    select: { userId: true, role: true },
  })
  // Auditors cannot decide, so they are never chosen as reviewers.
  const reviewers = new Set(members.filter((m) => m.role !== 'auditor').map((m) => m.userId))
  const fallbackId = campaign.fallbackReviewerId!
  const where = campaignIdentityWhere(campaign, settings.dormantDays)

  // A retried launch starts over: what a failed attempt staged (and, from before staging existed, any item it wrote).
  // Also what a finished launch of the organization left staged when its process died between publishing and clearing.
  await prismaSql().execute(
    sql`DELETE FROM "ReviewItemStage" WHERE "orgId" = ${ctx.org.id}
      AND "campaignId" IN (SELECT "id" FROM "Campaign" WHERE "orgId" = ${ctx.org.id} AND ("id" = ${campaignId} OR "status" <> 'launching'))`,
  )
  await db.reviewItem.deleteMany({ where: { orgId: ctx.org.id, campaignId } })
  const ropts = { now, dormantDays: settings.dormantDays, privilegedUnusedDays: settings.privilegedUnusedDays }
  // The population's ids in one indexed pass; then 5,000 at a time by primary key.
  // In id order: ids are issued in insertion order (lib/sql/bulk.ts newId, cuid), so a batch of neighbouring ids reads
  // neighbouring table pages — the identities and their grants, which are written together — instead of 5,000 pages
  // scattered over the whole file (at 1,000,000 identities the reads were most of the launch).
  const population = (await db.identity.findMany({ where, select: { id: true } })).map((r) => r.id).sort()
  const entitlements = new Map<string, EntitlementInfo>()
  let done = 0
  let items = 0
  let fallback = 0
  const timing = { readMs: 0, buildMs: 0, writeMs: 0, finalizeMs: 0, clearMs: 0 }
  let mark = performance.now()
  const lap = (k: keyof typeof timing) => {
    const n = performance.now()
    timing[k] += n - mark
    mark = n
  }
  for (let start = 0; start < population.length; start += BATCH) {
    const slice = population.slice(start, start + BATCH)
    const batch = await readIdentities(slice)
    const ids = batch.map((b) => b.id)
    // Keyed by ids of this organization's identities (read above with orgId): adding orgId here would make
    // SQLite's planner walk the organization's index instead of the identityId one (11 s instead of 0.3 s a batch).
    const findings = await queryIn<{ identityId: string; title: string; severity: string; owaspCode: string }>(
      prismaSql(),
      ids,
      (isIn) => sql`SELECT "identityId", "title", "severity", "owaspCode" FROM "Finding" WHERE "identityId" ${isIn} AND "status" = 'open'`,
    )
    const grants = campaign.type === 'credential' ? [] : await readGrants(ids, entitlements)
    const credentials =
      campaign.type === 'credential'
        ? await db.credential.findMany({
            where: { identityId: { in: ids }, status: 'active' },
            select: {
              id: true,
              identityId: true,
              kind: true,
              label: true,
              createdAt: true,
              lastRotatedAt: true,
              expiresAt: true,
              lastUsedAt: true,
              usageReported: true,
            },
          })
        : []
    const byIdentity = <T extends { identityId: string }>(rows: T[]) => {
      const m = new Map<string, T[]>()
      for (const r of rows) {
        const list = m.get(r.identityId)
        if (list) list.push(r)
        else m.set(r.identityId, [r])
      }
      return m
    }
    const findingsOf = byIdentity(findings)
    const grantsOf = byIdentity(grants)
    const credsOf = byIdentity(credentials)
    lap('readMs')

    const rows: {
      orgId: string
      campaignId: string
      identityId: string
      grantId: string | null
      credentialId: string | null
      reviewerId: string
      snapshot: string
      recommendation: string
      recommendationReason: string
      privileged: boolean
      identityName: string
    }[] = []
    for (const i of batch) {
      const choice = chooseReviewer({ ownerId: i.ownerId, backupOwnerId: i.backupOwnerId, teamLeadId: i.team?.leadId ?? null }, reviewers, fallbackId)
      const base: ReviewSnapshot = {
        identity: { id: i.id, name: i.name, kind: i.kind, environment: i.environment, status: i.status, source: i.source.name },
        owner: i.owner?.name ?? null,
        ownerId: i.ownerId,
        reviewerId: choice.reviewerId,
        team: i.team?.name ?? null,
        via: choice.via,
        privileged: i.privileged,
        lastUsedAt: i.lastUsedAt?.toISOString() ?? null,
        findings: (findingsOf.get(i.id) ?? []).slice(0, FINDINGS_IN_SNAPSHOT).map((f) => ({ title: f.title, severity: f.severity, code: f.owaspCode })),
      }
      const push = (
        extra: Partial<ReviewSnapshot>,
        privileged: boolean,
        lastUsedAt: Date | null,
        usageReported: boolean,
        grantId: string | null,
        credentialId: string | null,
        expiresAt?: Date | null,
        narrow?: (r: Recommendation) => Recommendation,
      ) => {
        const plain = recommend({ privileged, lastUsedAt, usageReported, identityStatus: i.status, expiresAt }, ropts)
        const rec = narrow ? narrow(plain) : plain
        if (choice.via === 'fallback') fallback++
        rows.push({
          orgId: campaign.orgId,
          campaignId,
          identityId: i.id,
          grantId,
          credentialId,
          reviewerId: choice.reviewerId,
          snapshot: JSON.stringify({
            ...base,
            ...extra,
            privileged,
            lastUsedAt: lastUsedAt?.toISOString() ?? null,
            ...(!lastUsedAt && !usageReported ? { usageUnknown: true } : {}),
          }),
          recommendation: rec.recommendation,
          recommendationReason: rec.reason,
          privileged,
          identityName: i.name,
        })
      }
      if (campaign.type === 'identity') {
        const gs = grantsOf.get(i.id) ?? []
        // Gateway grants unused within the dormancy window are suggested for removal ("reduce"); they are listed first
        // so the suggestion is among the grants the reviewer sees and can pick.
        const gateway = recommendGatewayReduce(
          recommend({ privileged: i.privileged, lastUsedAt: i.lastUsedAt, usageReported: i.usageReported, identityStatus: i.status }, ropts),
          gs.filter((g) => g.gateway).map((g) => ({ id: g.id, lastUsedAt: g.lastUsedAt })),
          ropts,
        )
        const suggested = new Set(gateway.suggestedReduce)
        const shown = gs
          .sort((a, b) => Number(suggested.has(b.id)) - Number(suggested.has(a.id)) || Number(b.privileged) - Number(a.privileged))
          .slice(0, GRANTS_IN_SNAPSHOT)
        const suggestedShown = shown.filter((g) => suggested.has(g.id)).map((g) => g.id)
        push(
          {
            grantCount: gs.length,
            ...(suggestedShown.length ? { suggestedReduce: suggestedShown } : {}),
            grants: shown.map((g) => ({
              id: g.id,
              name: g.entitlement.name,
              resource: g.entitlement.resource.name,
              privileged: g.privileged,
              lastUsedAt: g.lastUsedAt?.toISOString() ?? null,
            })),
          },
          i.privileged,
          i.lastUsedAt,
          i.usageReported,
          null,
          null,
          undefined,
          (r) => (suggestedShown.length && r.recommendation === 'keep' ? { recommendation: 'reduce', reason: gateway.reason } : r),
        )
      } else if (campaign.type === 'entitlement') {
        for (const g of grantsOf.get(i.id) ?? []) {
          push(
            { entitlement: { grantId: g.id, name: g.entitlement.name, resource: g.entitlement.resource.name, resourceType: g.entitlement.resource.type } },
            g.privileged,
            // A gateway grant's use is known exactly (never borrowed from the identity's use elsewhere).
            g.gateway ? g.lastUsedAt : (g.lastUsedAt ?? i.lastUsedAt),
            g.gateway || g.usageReported || i.usageReported,
            g.id,
            null,
          )
        }
      } else {
        for (const c of credsOf.get(i.id) ?? []) {
          push(
            {
              credential: {
                id: c.id,
                kind: c.kind,
                label: c.label,
                createdAt: c.createdAt.toISOString(),
                lastRotatedAt: c.lastRotatedAt?.toISOString() ?? null,
                expiresAt: c.expiresAt?.toISOString() ?? null,
              },
            },
            i.privileged,
            c.lastUsedAt ?? i.lastUsedAt,
            c.usageReported || i.usageReported,
            null,
            c.id,
            c.expiresAt,
          )
        }
      }
    }
    // Staged (invisible to reviewers) until the whole population is in; each batch its own short write.
    lap('buildMs')
    const now = new Date()
    // One short transaction a batch: inside one, SQLite binds the rows on the connection instead of sending them through
    // Prisma as a JSON text (lib/sql/sqlite-insert.ts).
    const staged = rows.map((r) => [
      r.campaignId,
      newId(),
      r.orgId,
      r.identityId,
      r.grantId,
      r.credentialId,
      r.reviewerId,
      r.snapshot,
      r.recommendation,
      r.recommendationReason,
      r.privileged,
      r.identityName,
      now,
    ])
    await prismaSql().transaction((s) => insertRows(s, 'ReviewItemStage', STAGE_COLUMNS, staged))
    items += rows.length
    done += batch.length
    await progress(done, population.length)
    lap('writeMs')
  }

  const perReviewer = await db.reviewItemStage.groupBy({ by: ['reviewerId'], where: { campaignId, orgId: ctx.org.id }, _count: { _all: true } })
  await db.$transaction(
    async (tx) => {
      // The whole population turns visible at once: one INSERT … SELECT, in id order (the order it was staged in), so each
      // of ReviewItem's nine indexes is written once for the launch rather than once per 5,000-item batch and again when
      // a 'staged' status flipped to 'pending' (at 1,000,000 identities, 161,655 items: 19.3 s for those writes, 11.0 s so).
      await prismaSql(tx).execute(
        sql`INSERT INTO "ReviewItem" (${stageColumns}, "status", "stage", "version", "remediationStatus")
          SELECT ${stageColumns}, 'pending', 1, 0, 'none' FROM "ReviewItemStage" WHERE "campaignId" = ${campaignId} AND "orgId" = ${ctx.org.id} ORDER BY "id"`,
      )
      await tx.campaign.update({
        where: { id: campaignId, orgId: ctx.org.id },
        data: {
          status: 'active',
          itemCount: items,
          decidedCount: 0,
          fallbackCount: fallback,
          launchedAt: new Date(),
          launchError: items === 0 ? 'The scope matched nothing when the launch ran: no items were created.' : null,
        },
      })
      await recordAudit(tx, ctx, {
        action: 'campaign.launched',
        targetType: 'campaign',
        targetId: campaignId,
        targetLabel: campaign.name,
        details: { items, fallback, reviewers: perReviewer.length },
      })
      await emitEvent(tx, ctx.org.id, 'campaign.launched', { campaign: { id: campaignId, name: campaign.name }, items, reviewers: perReviewer.length })
      await notifyReviewers(tx, ctx, campaignId, perReviewer, (n) => ({
        kind: 'campaign.assigned',
        title: `${n} item${n === 1 ? '' : 's'} to review in “${campaign.name}”`,
        body: campaign.dueAt ? `Decide by ${campaign.dueAt.toISOString().slice(0, 10)}.` : null,
      }))
      // This transaction grows with the population: a 100,000-item flip took 21 s on a loaded PostgreSQL, past Prisma's
      // 5 s default, which rolled the launch back.
    },
    { timeout: 10 * 60_000 },
  )
  lap('finalizeMs')
  // After the commit, so the write lock is not held for it: a crash in between leaves rows the next launch in the
  // organization removes (above).
  await prismaSql().execute(sql`DELETE FROM "ReviewItemStage" WHERE "campaignId" = ${campaignId} AND "orgId" = ${ctx.org.id}`)
  lap('clearMs')
  return { items, identities: done, fallback, timing: Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v)])) }
}
