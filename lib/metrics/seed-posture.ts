// Called by the demo seeder once the rows are in: findings (seedFindings), then today's snapshot and a year of
// plausible history (seedPosture). Two steps, because the seeder runs the findings pass while the indexes the pass
// does not read are still suspended, and the snapshot counts through them.
import { recomputeOrg } from '@/lib/findings/engine'
import { backfillHistory, takeSnapshot } from '@/lib/metrics/compute'
import { parseOrgSettings } from '@/lib/settings/schemas'
import { sql, type SqlClient } from '@/lib/sql/sql'

async function orgSettings(s: SqlClient, orgId: string) {
  const [org] = await s.query<{ settings: string }>(sql`SELECT "settings" FROM "Organization" WHERE "id" = ${orgId}`)
  return org ? parseOrgSettings(org.settings) : null
}

export async function seedFindings(s: SqlClient, orgIds: readonly string[], now = Date.now()) {
  for (const orgId of orgIds) {
    const settings = await orgSettings(s, orgId)
    if (settings) await recomputeOrg(s, orgId, settings, { now })
  }
}

export async function seedPosture(s: SqlClient, orgIds: readonly string[], now = Date.now()) {
  for (const orgId of orgIds) {
    const settings = await orgSettings(s, orgId)
    if (!settings) continue
    const metrics = await takeSnapshot(s, orgId, settings, now)
    await backfillHistory(s, orgId, metrics, now)
  }
}
