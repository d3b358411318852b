import 'server-only'
import { assertCan, type OrgContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { getOrgSettings } from '@/lib/inventory/queries'

const DAY = 86_400_000

/** Headline counts for the overview; each maps to an inventory filter so a click shows the same rows. */
export async function overviewCounts(ctx: OrgContext) {
  assertCan(ctx, 'identity:read')
  const { dormantDays, rotationMaxDays } = await getOrgSettings(ctx)
  const now = Date.now()
  const live = { orgId: ctx.org.id, status: { not: 'deleted' } }
  const [total, unowned, privileged, dormant, stale, highRisk] = await Promise.all([
    db.identity.count({ where: live }),
    db.identity.count({ where: { ...live, ownerId: null } }),
    db.identity.count({ where: { ...live, privileged: true } }),
    db.identity.count({ where: { ...live, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - dormantDays * DAY) } }] } }),
    db.identity.count({ where: { ...live, oldestSecretAt: { lt: new Date(now - 365 * DAY) } } }),
    db.identity.count({ where: { ...live, riskScore: { gte: 70 } } }),
  ])
  return { total, unowned, privileged, dormant, stale, highRisk, dormantDays, rotationMaxDays }
}
