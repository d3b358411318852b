// Organization metrics for the dashboard and the daily MetricSnapshot. Plain SQL through lib/sql so the seeder,
// the worker and the web tier compute the very same numbers.
import { randomUUID } from 'node:crypto'
import { AUTH_FAILURE_WINDOW_DAYS, OWASP_CODES } from '@/lib/findings/rules'
import { CUSTODIAN_CREDENTIAL_KINDS_SQL } from '@/lib/inventory/schemas'
import { num, sql, type SqlClient } from '@/lib/sql/sql'
import type { OrgSettings } from '@/lib/settings/schemas'

const DAY = 86_400_000
/** Kinds counted as workload identities on the dashboard. */
export const WORKLOAD_KINDS = ['service_account', 'workload', 'ci_cd'] as const

export type OrgMetrics = {
  total: number
  unowned: number
  privileged: number
  /** identities with an open NHI5 finding */
  overprivileged: number
  dormant: number
  highRisk: number
  privilegedWorkloads: number
  credentialsActive: number
  credentialsCompliant: number
  /** share of active credentials rotated within the rotation limit, 0-100; null without credentials */
  rotationCompliance: number | null
  unusedCredentials: number
  unusedCredentialIdentities: number
  /** identities holding an active secret past the rotation limit (open "old-secret" finding): what the rotation card opens */
  oldSecretIdentities?: number
  failedAuth30d: number
  failedAuthIdentities: number
  openFindings: number
  byKind: Record<string, number>
  bySource: Record<string, number>
  byEnvironment: Record<string, number>
  /** identities with at least one open finding of each OWASP code */
  findingsByCode: Record<string, number>
  dormantDays: number
  rotationMaxDays: number
  /**
   * Runtime posture, over identities holding an active credential: only short-lived ones (federated, ephemeral: no
   * stored secret), both (a static secret left beside federation), only static secrets. Absent on older snapshots.
   */
  shortLivedOnly?: number
  shortLivedAndStatic?: number
  staticOnly?: number
  /** shortLivedOnly as a share of identities holding an active credential, 0-100; null without any */
  shortLivedShare?: number | null
  backfilled?: boolean
}

export async function computeOrgMetrics(s: SqlClient, orgId: string, settings: OrgSettings, now = Date.now()): Promise<OrgMetrics> {
  const dormantCut = sql.date(now - settings.dormantDays * DAY)
  const rotationCut = sql.date(now - settings.rotationMaxDays * DAY)
  const authCut = sql.date(now - AUTH_FAILURE_WINDOW_DAYS * DAY)
  const workloads = WORKLOAD_KINDS.map((k) => `'${k}'`).join(',')
  const flag = (cond: string) => `SUM(CASE WHEN ${cond} THEN 1 ELSE 0 END)`
  const shortKind = `"kind" IN ${CUSTODIAN_CREDENTIAL_KINDS_SQL}`
  const [idRows, groups, credRows, codeRows, ruleRows, authRows, postureRows] = await Promise.all([
    s.query<Record<string, unknown>>(
      sql`SELECT COUNT(*) AS "total", ${sql.raw(flag(`"ownerId" IS NULL`))} AS "unowned", ${sql.raw(flag(`"privileged"`))} AS "privileged",
        SUM(CASE WHEN "usageReported" AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${dormantCut}) THEN 1 ELSE 0 END) AS "dormant",
        ${sql.raw(flag(`"riskScore" >= 70`))} AS "highRisk", ${sql.raw(flag(`"privileged" AND "kind" IN (${workloads})`))} AS "privilegedWorkloads"
        FROM "Identity" WHERE "orgId" = ${orgId} AND "status" <> 'deleted'`,
    ),
    s.query<{ kind: string; sourceId: string; environment: string; n: unknown }>(
      sql`SELECT "kind", "sourceId", "environment", COUNT(*) AS "n" FROM "Identity" WHERE "orgId" = ${orgId} AND "status" <> 'deleted' GROUP BY "kind", "sourceId", "environment"`,
    ),
    s.query<Record<string, unknown>>(
      // Rotation is over stored secrets: a federated or ephemeral credential has nothing to rotate.
      sql`SELECT SUM(CASE WHEN ${sql.raw(shortKind)} THEN 0 ELSE 1 END) AS "active",
        SUM(CASE WHEN NOT (${sql.raw(shortKind)}) AND COALESCE("lastRotatedAt", "createdAt") >= ${rotationCut} THEN 1 ELSE 0 END) AS "compliant",
        SUM(CASE WHEN "usageReported" AND COALESCE("lastUsedAt", "createdAt") < ${dormantCut} THEN 1 ELSE 0 END) AS "unused"
        FROM "Credential" WHERE "orgId" = ${orgId} AND "status" = 'active'`,
    ),
    s.query<{ code: string; n: unknown; f: unknown }>(
      sql`SELECT "owaspCode" AS "code", COUNT(DISTINCT "identityId") AS "n", COUNT(*) AS "f" FROM "Finding" WHERE "orgId" = ${orgId} AND "status" = 'open' GROUP BY "owaspCode"`,
    ),
    s.query<{ rule: string; n: unknown }>(
      sql`SELECT "rule", COUNT(*) AS "n" FROM "Finding" WHERE "orgId" = ${orgId} AND "status" = 'open' AND "rule" IN ('unused-cred','auth-failures','old-secret') GROUP BY "rule"`,
    ),
    s.query<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM "ActivityEvent" WHERE "orgId" = ${orgId} AND "kind" = 'auth_failure' AND "at" >= ${authCut}`),
    // Per identity: does it hold short-lived credentials, static secrets, or both (read through (orgId, status, createdAt)).
    s.query<{ short: unknown; stat: unknown; n: unknown }>(
      sql`SELECT "short", "stat", COUNT(*) AS "n" FROM (
          SELECT "identityId", MAX(CASE WHEN ${sql.raw(shortKind)} THEN 1 ELSE 0 END) AS "short", MAX(CASE WHEN ${sql.raw(shortKind)} THEN 0 ELSE 1 END) AS "stat"
          FROM "Credential" WHERE "orgId" = ${orgId} AND "status" = 'active' GROUP BY "identityId") x
        GROUP BY "short", "stat"`,
    ),
  ])
  const i = idRows[0] ?? {}
  const c = credRows[0] ?? {}
  const add = (m: Record<string, number>, k: string, n: number) => void (m[k] = (m[k] ?? 0) + n)
  const byKind: Record<string, number> = {}
  const bySource: Record<string, number> = {}
  const byEnvironment: Record<string, number> = {}
  for (const g of groups) {
    add(byKind, g.kind, num(g.n))
    add(bySource, g.sourceId, num(g.n))
    add(byEnvironment, g.environment, num(g.n))
  }
  const findingsByCode: Record<string, number> = Object.fromEntries(OWASP_CODES.map((code) => [code, 0]))
  let openFindings = 0
  for (const r of codeRows) {
    findingsByCode[r.code] = num(r.n)
    openFindings += num(r.f)
  }
  const rule = (id: string) => num(ruleRows.find((r) => r.rule === id)?.n)
  const active = num(c.active)
  const compliant = num(c.compliant)
  const posture = (short: number, stat: number) => num(postureRows.find((r) => num(r.short) === short && num(r.stat) === stat)?.n)
  const [shortLivedOnly, shortLivedAndStatic, staticOnly] = [posture(1, 0), posture(1, 1), posture(0, 1)]
  const credentialed = shortLivedOnly + shortLivedAndStatic + staticOnly
  return {
    total: num(i.total),
    unowned: num(i.unowned),
    privileged: num(i.privileged),
    overprivileged: findingsByCode.NHI5 ?? 0,
    dormant: num(i.dormant),
    highRisk: num(i.highRisk),
    privilegedWorkloads: num(i.privilegedWorkloads),
    credentialsActive: active,
    credentialsCompliant: compliant,
    rotationCompliance: active ? Math.round((compliant / active) * 1000) / 10 : null,
    unusedCredentials: num(c.unused),
    unusedCredentialIdentities: rule('unused-cred'),
    oldSecretIdentities: rule('old-secret'),
    failedAuth30d: num(authRows[0]?.n),
    failedAuthIdentities: rule('auth-failures'),
    openFindings,
    byKind,
    bySource,
    byEnvironment,
    findingsByCode,
    dormantDays: settings.dormantDays,
    rotationMaxDays: settings.rotationMaxDays,
    shortLivedOnly,
    shortLivedAndStatic,
    staticOnly,
    shortLivedShare: credentialed ? Math.round((shortLivedOnly / credentialed) * 1000) / 10 : null,
  }
}

export const utcDay = (t: number) => new Date(t).toISOString().slice(0, 10)

/** Stores (or refreshes) the organization's snapshot for the UTC day of `now`. */
export async function saveSnapshot(s: SqlClient, orgId: string, metrics: OrgMetrics, now = Date.now()) {
  await s.execute(
    sql`INSERT INTO "MetricSnapshot" ("id","orgId","day","metrics","takenAt") VALUES (${randomUUID()}, ${orgId}, ${utcDay(now)}, ${sql.json(metrics)}, ${sql.date(now)})
      ON CONFLICT ("orgId","day") DO UPDATE SET "metrics" = excluded."metrics", "takenAt" = excluded."takenAt"`,
  )
}

export async function takeSnapshot(s: SqlClient, orgId: string, settings: OrgSettings, now = Date.now()) {
  const metrics = await computeOrgMetrics(s, orgId, settings, now)
  await saveSnapshot(s, orgId, metrics, now)
  return metrics
}

function scaleRecord(m: Record<string, number>, f: number) {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * f)]))
}

/**
 * Plausible history for the demo: the inventory grew into today's size while its hygiene improved.
 * Days that already have a real snapshot are left alone.
 */
export async function backfillHistory(s: SqlClient, orgId: string, current: OrgMetrics, now = Date.now(), days = 365) {
  let seed = [...orgId].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7)
  const rand = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32
  await s.transaction(async (tx) => {
    for (let back = days; back >= 1; back--) {
      const t = now - back * DAY
      const age = back / days
      const size = (1 - 0.45 * age) * (1 + (rand() - 0.5) * 0.01)
      const worse = 1 + 0.6 * age + (rand() - 0.5) * 0.04
      const sized = (n: number) => Math.round(n * size)
      const bad = (n: number) => Math.round(n * size * worse)
      const m: OrgMetrics = {
        ...current,
        total: sized(current.total),
        unowned: Math.min(sized(current.total), bad(current.unowned)),
        privileged: sized(current.privileged),
        overprivileged: bad(current.overprivileged),
        dormant: bad(current.dormant),
        highRisk: bad(current.highRisk),
        privilegedWorkloads: sized(current.privilegedWorkloads),
        credentialsActive: sized(current.credentialsActive),
        credentialsCompliant: Math.round(sized(current.credentialsActive) * Math.max(0, ((current.rotationCompliance ?? 0) / 100) * (1 - 0.5 * age))),
        rotationCompliance: current.rotationCompliance === null ? null : Math.round(current.rotationCompliance * (1 - 0.5 * age) * 10) / 10,
        unusedCredentials: bad(current.unusedCredentials),
        unusedCredentialIdentities: bad(current.unusedCredentialIdentities),
        oldSecretIdentities: bad(current.oldSecretIdentities ?? 0),
        failedAuth30d: Math.round(current.failedAuth30d * (0.6 + rand() * 0.8)),
        failedAuthIdentities: bad(current.failedAuthIdentities),
        openFindings: bad(current.openFindings),
        byKind: scaleRecord(current.byKind, size),
        bySource: scaleRecord(current.bySource, size),
        byEnvironment: scaleRecord(current.byEnvironment, size),
        findingsByCode: scaleRecord(current.findingsByCode, size * worse),
        backfilled: true,
      }
      await tx.execute(
        sql`INSERT INTO "MetricSnapshot" ("id","orgId","day","metrics","takenAt") VALUES (${randomUUID()}, ${orgId}, ${utcDay(t)}, ${sql.json(m)}, ${sql.date(t)})
          ON CONFLICT ("orgId","day") DO NOTHING`,
      )
    }
  })
}
