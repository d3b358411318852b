import 'server-only'
import { z } from 'zod'
import { recordAudit } from '@/lib/audit/record'
import { db } from '@/lib/db'
import { defineJob, defineScheduler } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { syncRuleGrants } from '@/lib/gateway/mutations'
import { learnHour, resolveQuietUnusual } from '@/lib/gateway/unusual'

const hour = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}$/)

/**
 * Brings the Grants of an organization's team and tag rules in step with today's teams and tags (an identity moved to
 * another team, a tag added by an import). The gateway itself decides from the live team and tags at once; this keeps
 * the inventory's mirror — identity pages, findings, review campaigns — right within the hour. Each rule whose grants
 * change is one transaction with its audit row.
 */
export const syncGatewayGrantsJob = defineJob({
  type: 'sync_gateway_grants',
  lane: 'background',
  payload: z.object({ hour }),
  key: (p, { orgId }) => `sync_gateway_grants:${orgId}:${p.hour}`,
  maxAttempts: 3,
  run: async ({ ctx }) => {
    const rules = await db.gatewayRule.findMany({
      where: { orgId: ctx.org.id, principalType: { in: ['team', 'tag'] } },
      select: { id: true, entitlement: { select: { name: true } } },
      orderBy: { id: 'asc' },
    })
    let added = 0
    let removed = 0
    for (const rule of rules) {
      const r = await db.$transaction(async (tx) => {
        const r = await syncRuleGrants(tx, rule.id)
        if (r.added || r.removed)
          await recordAudit(tx, ctx, {
            action: 'gateway-rule.grants-synced',
            targetType: 'gateway-rule',
            targetId: rule.id,
            targetLabel: rule.entitlement.name,
            details: { added: r.added, removed: r.removed },
          })
        return r
      })
      added += r.added
      removed += r.removed
    }
    return { rules: rules.length, added, removed }
  },
})

/** Every hour, for the organizations that have team or tag rules only: one job each (its key names the hour). */
export const gatewayGrantsScheduler = defineScheduler({
  name: 'gateway-grants-hourly',
  run: async (now) => {
    const hourOf = now.toISOString().slice(0, 13)
    const orgs = await db.gatewayRule.findMany({ where: { principalType: { in: ['team', 'tag'] } }, distinct: ['orgId'], select: { orgId: true } })
    for (const { orgId } of orgs) await db.$transaction((tx) => enqueueJob(tx, syncGatewayGrantsJob, { hour: hourOf }, { orgId, runAt: now }))
  },
})

/** Learns one hour of an organization's gateway calls into the identities' baselines, raising unusual use (lib/gateway/unusual.ts). */
export const learnGatewayUseJob = defineJob({
  type: 'learn_gateway_use',
  lane: 'background',
  payload: z.object({ hour }),
  key: (p, { orgId }) => `learn_gateway_use:${orgId}:${p.hour}`,
  maxAttempts: 3,
  run: async ({ ctx, payload }) => {
    const r = await learnHour(ctx, new Date(`${payload.hour}:00:00.000Z`))
    const resolved = await resolveQuietUnusual(ctx)
    return { identities: r.identities, unusual: r.unusual.length, resolved }
  },
})

/** Every hour, the hour just ended, for the organizations that have gateway routes. */
export const gatewayUseScheduler = defineScheduler({
  name: 'gateway-use-hourly',
  run: async (now) => {
    const last = new Date(now.getTime() - 3_600_000).toISOString().slice(0, 13)
    const orgs = await db.gatewayRoute.findMany({ distinct: ['orgId'], select: { orgId: true } })
    for (const { orgId } of orgs) await db.$transaction((tx) => enqueueJob(tx, learnGatewayUseJob, { hour: last }, { orgId, runAt: now }))
  },
})
