// Called by the demo seeder once the rows are in: findings, today's snapshot and a year of plausible history.
import { recomputeOrg } from '@/lib/findings/engine'
import { backfillHistory, takeSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { sql, type SqlClient } from '@/lib/sql/sql'

export async function seedPosture(s: SqlClient, orgIds: readonly string[], now = Date.now()) {
  for (const orgId of orgIds) {
    const [org] = await s.query<{ settings: string }>(sql`SELECT "settings" FROM "Organization" WHERE "id" = ${orgId}`)
    if (!org) continue
    const settings = parseOrgSettings(org.settings)
    await recomputeOrg(s, orgId, settings, { now })
    const metrics = await takeSnapshot(s, orgId, settings, now)
    await backfillHistory(s, orgId, metrics, now)
  }
}
