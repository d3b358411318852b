// Called by the demo seeder once the rows are in: findings, today's snapshot and a year of plausible history.
import { recomputeOrg } from '@/lib/findings/engine'
import { bulkSql, type Engine } from '@/lib/findings/sql'
import { backfillHistory, takeSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'

type Writer = Parameters<typeof bulkSql>[0] & { engine: Engine }

export async function seedPosture(w: Writer, orgIds: readonly string[], now = Date.now()) {
  const s = bulkSql(w)
  for (const orgId of orgIds) {
    const [org] = await s.query<{ settings: string }>(`SELECT "settings" FROM "Organization" WHERE "id" = ?`, [orgId])
    if (!org) continue
    const settings = parseOrgSettings(org.settings)
    await recomputeOrg(s, orgId, settings, { now })
    const metrics = await takeSnapshot(s, orgId, settings, now)
    await backfillHistory(s, orgId, metrics, now)
  }
}
