import 'server-only'
import { z } from 'zod'
import { recordAudit } from '@/lib/audit/record'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { defineJob, defineScheduler } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { logger } from '@/lib/log'
import { utcDay } from '@/lib/metrics/compute'
import { MAX_DORMANT_DAYS, parseOrgSettings } from '@/lib/settings/schemas'
import { prismaSql } from '@/lib/sql/prisma'
import { sql, type SqlClient } from '@/lib/sql/sql'

// Retention of the two records that grow with traffic: GatewayCall (one row per call through the gateway) and
// TokenExchange (one row per token-exchange attempt). Once a day, per organization, a background job deletes the rows
// older than the retention, in batches of DELETE_BATCH rows (each one statement on the (orgId, at) index: a short write
// lock on SQLite, a short transaction on PostgreSQL), at most MAX_BATCHES a run (what is left goes the next day), and
// writes one audit row with what it deleted.
//
// How long:
// - GatewayCall: CUSTODIAN_GATEWAY_CALL_RETENTION_DAYS (default 400), but never less than the organization's
//   dormantDays: the "gateway access unused" finding (lib/findings/rules.ts, gateway-unused-access) asks whether an
//   identity made an allowed call on a route within dormantDays (up to MAX_DORMANT_DAYS = 730). Deleting calls inside
//   that window would make a used grant look unused and raise a false finding, so the window wins. (Unusual-use
//   baselines read only the last hours; the identity page the last 30 days.)
// - TokenExchange: CUSTODIAN_TOKEN_EXCHANGE_RETENTION_DAYS (default 400). An issued row is also what refuses a replayed
//   subject token (unique issuer + spentKey), so the token exchange refuses subject tokens that would still be valid
//   when their row is deleted (lib/federation/exchange.ts, exp beyond the retention): a deleted row can never let a
//   replay through. Attempts with no organization (an untrusted issuer) are deleted by the scheduler, one batch a minute.

export const DELETE_BATCH = 5_000
export const MAX_BATCHES = 200
const DAY = 86_400_000

/** The GatewayCall retention an organization gets: the configured days, stretched to its dormant window. */
export function gatewayCallRetentionDays(configured: number, dormantDays: number): number {
  return Math.max(configured, Math.min(dormantDays, MAX_DORMANT_DAYS))
}

/** Hourly call cells are kept this long (the routes table reads the last 24 hours). */
const HOURLY_CELL_DAYS = 7

/** One batch: at most DELETE_BATCH rows of one organization (or of none) older than `before`, found on the (orgId, at) index. */
export function pruneBatchSql(table: 'GatewayCall' | 'TokenExchange', orgId: string | null, before: Date) {
  const t = sql.ident(table)
  const org = orgId === null ? sql`"orgId" IS NULL` : sql`"orgId" = ${orgId}`
  return sql`DELETE FROM ${t} WHERE "id" IN (SELECT "id" FROM ${t} WHERE ${org} AND "at" < ${sql.date(before)} LIMIT ${sql.raw(String(DELETE_BATCH))})`
}

/** Deletes one table's rows of one organization (or of none: null) older than `before`, batch by batch. */
async function pruneTable(
  s: SqlClient,
  table: 'GatewayCall' | 'TokenExchange',
  orgId: string | null,
  before: Date,
  maxBatches: number,
  progress?: (deleted: number) => Promise<void>,
): Promise<{ deleted: number; more: boolean }> {
  let deleted = 0
  for (let i = 0; i < maxBatches; i++) {
    const n = await s.execute(pruneBatchSql(table, orgId, before))
    deleted += n
    await progress?.(deleted)
    if (n < DELETE_BATCH) return { deleted, more: false }
  }
  return { deleted, more: true }
}

export const pruneGatewayRecordsJob = defineJob({
  type: 'prune_gateway_records',
  lane: 'background',
  payload: z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  key: (p, { orgId }) => `prune_gateway_records:${orgId}:${p.day}`,
  maxAttempts: 3,
  run: async ({ ctx, progress }) => {
    const now = Date.now()
    const org = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
    const { retention } = env()
    const callDays = gatewayCallRetentionDays(retention.gatewayCallDays, parseOrgSettings(org.settings).dormantDays)
    const callsBefore = new Date(now - callDays * DAY)
    const exchangesBefore = new Date(now - retention.tokenExchangeDays * DAY)
    const s = prismaSql()
    const calls = await pruneTable(s, 'GatewayCall', ctx.org.id, callsBefore, MAX_BATCHES, (n) => progress(n))
    const exchanges = await pruneTable(s, 'TokenExchange', ctx.org.id, exchangesBefore, MAX_BATCHES, (n) => progress(calls.deleted + n))
    // The daily cells of pruned calls were emptied by their triggers; hourly cells only serve the last 24 hours.
    await db.gatewayCallDay.deleteMany({ where: { orgId: ctx.org.id, calls: { lte: 0 } } })
    await db.gatewayCallHour.deleteMany({ where: { orgId: ctx.org.id, hour: { lt: new Date(now - HOURLY_CELL_DAYS * DAY) } } })
    const details = {
      gatewayCalls: { deleted: calls.deleted, before: callsBefore.toISOString(), days: callDays, more: calls.more },
      tokenExchanges: { deleted: exchanges.deleted, before: exchangesBefore.toISOString(), days: retention.tokenExchangeDays, more: exchanges.more },
    }
    await db.$transaction((tx) =>
      recordAudit(tx, ctx, {
        action: 'gateway.records-pruned',
        targetType: 'organization',
        targetId: ctx.org.id,
        targetLabel: 'gateway calls and token exchanges',
        details,
      }),
    )
    return { gatewayCalls: calls.deleted, tokenExchanges: exchanges.deleted, more: calls.more || exchanges.more }
  },
})

/**
 * Every minute: today's pruning job for each organization with gateway routes or trust providers (its key names the
 * day, so it runs once), and one batch of the exchange attempts that belong to no organization.
 */
export const gatewayRetentionScheduler = defineScheduler({
  name: 'gateway-records-retention',
  run: async (now) => {
    const day = utcDay(now.getTime())
    const [routes, providers] = await Promise.all([
      db.gatewayRoute.findMany({ distinct: ['orgId'], select: { orgId: true } }),
      db.trustProvider.findMany({ distinct: ['orgId'], select: { orgId: true } }),
    ])
    for (const orgId of new Set([...routes, ...providers].map((r) => r.orgId)))
      await db.$transaction((tx) => enqueueJob(tx, pruneGatewayRecordsJob, { day }, { orgId, runAt: now }))
    const before = new Date(now.getTime() - env().retention.tokenExchangeDays * DAY)
    const orphans = await pruneTable(prismaSql(), 'TokenExchange', null, before, 1)
    if (orphans.deleted)
      logger('worker').info({ deleted: orphans.deleted, before: before.toISOString() }, 'retention: token exchange attempts without an organization deleted')
  },
})
