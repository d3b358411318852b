import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { orgPublicKeys } from '@/lib/keys/org-keys'

/** What the Reports page offers: the campaigns with evidence (launched, newest first) and the organization's signing keys. */
export async function getReportsPage(ctx: UserCtx, now = new Date()) {
  assertCan(ctx, 'report:export')
  const [campaigns, keys] = await Promise.all([
    db.campaign.findMany({
      where: { orgId: ctx.org.id, launchedAt: { not: null }, status: { in: ['active', 'closing', 'closed', 'canceled'] } },
      orderBy: [{ launchedAt: 'desc' }, { id: 'desc' }],
      take: 200,
      select: { id: true, name: true, status: true, launchedAt: true, closedAt: true, itemCount: true },
    }),
    orgPublicKeys(ctx.org.id),
  ])
  return {
    /** the audit-log form's default range: the last 30 days */
    today: now.toISOString().slice(0, 10),
    monthAgo: new Date(now.getTime() - 30 * 86_400_000).toISOString().slice(0, 10),
    campaigns: campaigns.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      launchedAt: c.launchedAt!.toISOString(),
      closedAt: c.closedAt?.toISOString() ?? null,
      items: c.itemCount,
    })),
    keys: keys.map((k) => ({ kid: k.kid, publicKeyPem: k.publicKeyPem, createdAt: k.createdAt.toISOString(), retired: k.retiredAt !== null })),
  }
}
