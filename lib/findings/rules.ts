// The posture rules. Each is a set-based SQL predicate over one identity row (alias i), so the engine can
// evaluate 5,000 identities per statement; the catalog also carries what people see (code, title, severity).
import type { OrgSettings } from '@/lib/settings/schemas'
import { CUSTODIAN_CREDENTIAL_KINDS_SQL } from '@/lib/inventory/schemas'
import { sql, type Fragment } from '@/lib/sql/sql'

export const OWASP_CODES = ['NHI1', 'NHI2', 'NHI3', 'NHI4', 'NHI5', 'NHI6', 'NHI7', 'NHI8', 'NHI9', 'NHI10'] as const
export type OwaspCode = (typeof OWASP_CODES)[number]

// A label table like the other domains' (const list + labels): alike by shape, owned by its domain.
export const OWASP_LABELS: Record<OwaspCode, string> = {
  NHI1: 'Improper offboarding',
  NHI2: 'Secret leakage',
  NHI3: 'Vulnerable third-party NHI',
  NHI4: 'Insecure authentication',
  NHI5: 'Overprivileged NHI',
  NHI6: 'Insecure cloud deployment',
  NHI7: 'Long-lived secrets',
  NHI8: 'Environment isolation',
  NHI9: 'NHI reuse',
  NHI10: 'Human use of NHI',
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export type Severity = (typeof SEVERITIES)[number]
/** Risk points per open finding; an identity's risk score is their sum, capped at 100. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 40, high: 25, medium: 12, low: 5 }
/** Finding.severityRank: sorting by it puts the most severe first (lowest rank). */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 }

/** Sources whose platform offers federation (short-lived tokens) instead of passwords and static keys. */
export const FEDERATION_SOURCES = ['aws', 'gcp', 'azure', 'github', 'kubernetes'] as const
const NON_PROD = "('staging','development','test')"
export const AUTH_FAILURE_WINDOW_DAYS = 30

/** Raised by offboarding (lib/ownership/jobs.ts) rather than by a rule; resolved when the identity gets an owner again. */
export const OWNER_LEFT_RULE = 'owner-left'
/** Raised by the gateway's hourly unusual-use learner (lib/gateway/unusual.ts) rather than by a rule. */
export const GATEWAY_UNUSUAL_RULE = 'gateway-unusual-use'

export type RuleContext = { settings: OrgSettings; now: number }
export type RuleDef = {
  id: string
  owaspCode: OwaspCode
  title: (s: OrgSettings) => string
  /** SQL expression giving the severity of this identity's finding */
  severity: (c: RuleContext) => Fragment
  /** SQL boolean over identity i: true when the rule raises a finding */
  when: (c: RuleContext) => Fragment
}

const DAY = 86_400_000
const fixed = (sev: Severity) => () => sql.lit(sev)
const cutoff = (c: RuleContext, days: number) => sql.date(c.now - days * DAY)
const liveCred = `c."identityId" = i."id" AND c."status" = 'active'`
/** A live stored secret: not a credential Custodian issues itself (federated, ephemeral), which has nothing to rotate. */
const liveSecret = `${liveCred} AND c."kind" NOT IN ${CUSTODIAN_CREDENTIAL_KINDS_SQL}`
const liveGrant = `g."identityId" = i."id" AND g."status" = 'active'`
/** Granted access through the Custodian gateway that the identity did not call in the window (lib/gateway). */
export const GATEWAY_UNUSED_RULE = 'gateway-unused-access'
/** The AWS account root user, by its ARN (arn:aws:iam::<account>:root). */
export const AWS_ROOT = `i."externalId" LIKE 'arn:aws%:iam::%:root'`
// In the self-joins below, `status || ''` keeps SQLite on the (orgId, fingerprint) index instead of (orgId, status, createdAt).

/** Entitlement names that mean "everything" on their platform: admin roles and wildcards. */
const ADMIN_ENTITLEMENT = `(e."name" LIKE '%*%' OR (LOWER(e."name") LIKE '%admin%' AND LOWER(e."name") NOT LIKE 'read%')
  OR LOWER(e."name") IN ('owner','roles/owner','roles/editor','contributor','superuser','rds_superuser','all privileges','modify all data','ownership'))`

export const RULES: readonly RuleDef[] = [
  {
    id: 'unowned',
    owaspCode: 'NHI1',
    title: () => 'No owner',
    // Nobody accountable for an account's root user is the worst orphan there is.
    severity: () => sql.raw(`CASE WHEN ${AWS_ROOT} THEN 'critical' WHEN i."privileged" OR i."environment" = 'production' THEN 'high' ELSE 'medium' END`),
    // An identity orphaned by offboarding already carries the more telling "owner-left" finding: one NHI1 problem, one finding.
    when: () =>
      sql.raw(
        `i."ownerId" IS NULL AND NOT EXISTS (SELECT 1 FROM "Finding" ol WHERE ol."identityId" = i."id" AND ol."rule" = '${OWNER_LEFT_RULE}' AND ol."status" <> 'resolved')`,
      ),
  },
  {
    id: 'owner-gone',
    owaspCode: 'NHI1',
    title: () => 'Owner has left the organization',
    severity: fixed('high'),
    when: () =>
      sql.raw(`i."ownerId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Membership" m JOIN "User" u ON u."id" = m."userId"
        WHERE m."orgId" = i."orgId" AND m."userId" = i."ownerId" AND m."status" = 'active' AND u."active")`),
  },
  {
    id: 'dormant',
    owaspCode: 'NHI1',
    title: (s) => `Active but unused for ${s.dormantDays}+ days`,
    severity: () => sql.raw(`CASE WHEN i."privileged" THEN 'high' ELSE 'medium' END`),
    // Unknown is not never: a source that does not report usage cannot show dormancy. Unused is how a root user should be.
    when: (c) =>
      sql`i."status" = 'active' AND i."usageReported" AND NOT (${sql.raw(AWS_ROOT)}) AND COALESCE(i."lastUsedAt", i."createdAt") < ${cutoff(c, c.settings.dormantDays)}`,
  },
  {
    id: 'unused-cred',
    owaspCode: 'NHI1',
    title: (s) => `Credential unused for ${s.dormantDays}+ days and not revoked`,
    severity: fixed('low'),
    when: (c) =>
      sql`EXISTS (SELECT 1 FROM "Credential" c WHERE ${sql.raw(liveCred)} AND c."usageReported" AND COALESCE(c."lastUsedAt", c."createdAt") < ${cutoff(c, c.settings.dormantDays)})`,
  },
  {
    id: 'auth-failures',
    owaspCode: 'NHI2',
    title: () => `Failed authentication attempts in the last ${AUTH_FAILURE_WINDOW_DAYS} days`,
    severity: fixed('medium'),
    when: (c) =>
      sql`EXISTS (SELECT 1 FROM "ActivityEvent" a WHERE a."identityId" = i."id" AND a."kind" = 'auth_failure' AND a."at" >= ${cutoff(c, AUTH_FAILURE_WINDOW_DAYS)})`,
  },
  {
    id: 'third-party',
    owaspCode: 'NHI3',
    title: () => 'Third-party app with broad access',
    severity: () => sql.raw(`CASE WHEN i."environment" = 'production' THEN 'critical' ELSE 'high' END`),
    when: () => sql.raw(`i."kind" = 'oauth_app' AND EXISTS (SELECT 1 FROM "Grant" g WHERE ${liveGrant} AND g."privileged")`),
  },
  {
    id: 'static-auth',
    owaspCode: 'NHI4',
    title: () => 'Password or static key where the platform offers federation',
    severity: fixed('medium'),
    // Also when the identity already has a federated credential (a trust rule at Custodian): the static secret is then
    // left over; moving the workload to the exchange and revoking the secret resolves the finding.
    when: () =>
      sql.raw(`(EXISTS (SELECT 1 FROM "Source" s WHERE s."id" = i."sourceId" AND s."type" IN (${FEDERATION_SOURCES.map((t) => `'${t}'`).join(',')}))
          AND EXISTS (SELECT 1 FROM "Credential" c WHERE ${liveCred} AND c."kind" IN ('password','access_key')))
        OR (EXISTS (SELECT 1 FROM "Credential" cf WHERE cf."identityId" = i."id" AND cf."status" = 'active' AND cf."kind" = 'federated')
          AND EXISTS (SELECT 1 FROM "Credential" c WHERE ${liveCred} AND c."kind" IN ('password','access_key','token','client_secret')))`),
  },
  {
    id: 'unused-priv',
    owaspCode: 'NHI5',
    title: (s) => `Privileged access unused for ${s.privilegedUnusedDays}+ days`,
    severity: fixed('high'),
    when: (c) =>
      sql`NOT (${sql.raw(AWS_ROOT)}) AND EXISTS (SELECT 1 FROM "Grant" g WHERE ${sql.raw(liveGrant)} AND g."privileged" AND g."usageReported" AND COALESCE(g."lastUsedAt", g."createdAt") < ${cutoff(c, c.settings.privilegedUnusedDays)})`,
  },
  {
    id: 'admin-grant',
    owaspCode: 'NHI5',
    title: () => 'Admin or wildcard permission',
    severity: () => sql.raw(`CASE WHEN i."environment" = 'production' THEN 'critical' ELSE 'high' END`),
    // A gateway rule's name carries path wildcards (`GET /orders/*`): only every method on every path is admin there.
    when: () =>
      sql.raw(
        `EXISTS (SELECT 1 FROM "Grant" g JOIN "Entitlement" e ON e."id" = g."entitlementId" WHERE ${liveGrant} AND ${ADMIN_ENTITLEMENT}
          AND (e."name" = '* /*' OR NOT EXISTS (SELECT 1 FROM "GatewayRule" gr WHERE gr."entitlementId" = e."id")))`,
      ),
  },
  {
    id: GATEWAY_UNUSED_RULE,
    owaspCode: 'NHI5',
    title: (s) => `Gateway access unused for ${s.dormantDays}+ days`,
    severity: (c) =>
      sql`CASE WHEN EXISTS (SELECT 1 FROM "Grant" g JOIN "GatewayRule" gr ON gr."entitlementId" = g."entitlementId" WHERE ${sql.raw(liveGrant)} AND g."privileged"
        AND NOT EXISTS (SELECT 1 FROM "GatewayCall" gc WHERE gc."identityId" = i."id" AND gc."routeId" = gr."routeId" AND gc."decision" = 'allow' AND gc."at" >= ${cutoff(c, c.settings.dormantDays)})
        AND g."createdAt" < ${cutoff(c, c.settings.dormantDays)}) THEN 'high' ELSE 'medium' END`,
    // Allowed on a route (a rule's grant older than the window) and no allowed call to that route in the window:
    // the gateway records every call, so no call is "not used", never "unknown".
    when: (c) =>
      sql`EXISTS (SELECT 1 FROM "Grant" g JOIN "GatewayRule" gr ON gr."entitlementId" = g."entitlementId" WHERE ${sql.raw(liveGrant)}
        AND g."createdAt" < ${cutoff(c, c.settings.dormantDays)}
        AND NOT EXISTS (SELECT 1 FROM "GatewayCall" gc WHERE gc."identityId" = i."id" AND gc."routeId" = gr."routeId" AND gc."decision" = 'allow' AND gc."at" >= ${cutoff(c, c.settings.dormantDays)}))`,
  },
  {
    id: 'root-account',
    owaspCode: 'NHI5',
    title: () => 'AWS root user: unrestricted access to the whole account',
    severity: fixed('critical'),
    when: () => sql.raw(AWS_ROOT),
  },
  {
    id: 'root-access-key',
    owaspCode: 'NHI7',
    title: () => 'AWS root user has an access key',
    severity: fixed('critical'),
    when: () => sql.raw(`${AWS_ROOT} AND EXISTS (SELECT 1 FROM "Credential" c WHERE ${liveCred} AND c."kind" = 'access_key')`),
  },
  {
    id: 'old-secret',
    owaspCode: 'NHI7',
    title: (s) => `Secret not rotated in ${s.rotationMaxDays} days`,
    severity: () => sql.raw(`CASE WHEN i."privileged" THEN 'high' ELSE 'medium' END`),
    when: (c) =>
      sql`EXISTS (SELECT 1 FROM "Credential" c WHERE ${sql.raw(liveSecret)} AND COALESCE(c."lastRotatedAt", c."createdAt") < ${cutoff(c, c.settings.rotationMaxDays)})`,
  },
  {
    id: 'no-expiry',
    owaspCode: 'NHI7',
    title: () => 'Secret never expires',
    severity: fixed('low'),
    when: () => sql.raw(`EXISTS (SELECT 1 FROM "Credential" c WHERE ${liveSecret} AND c."expiresAt" IS NULL AND c."kind" <> 'certificate')`),
  },
  {
    id: 'env-mix',
    owaspCode: 'NHI8',
    title: () => 'Same secret in production and non-production',
    severity: fixed('critical'),
    when: () =>
      sql.raw(`i."environment" IN ('production','staging','development','test') AND EXISTS (SELECT 1 FROM "Credential" c
        JOIN "Credential" c2 ON c2."orgId" = c."orgId" AND c2."fingerprint" = c."fingerprint" AND c2."identityId" <> c."identityId" AND (c2."status" || '') = 'active'
        JOIN "Identity" i2 ON i2."id" = c2."identityId"
        WHERE ${liveCred} AND ((i."environment" = 'production' AND i2."environment" IN ${NON_PROD}) OR (i."environment" IN ${NON_PROD} AND i2."environment" = 'production')))`),
  },
  {
    id: 'shared-secret',
    owaspCode: 'NHI9',
    title: () => 'Secret shared with other identities',
    severity: fixed('high'),
    when: () =>
      sql.raw(`EXISTS (SELECT 1 FROM "Credential" c JOIN "Credential" c2 ON c2."orgId" = c."orgId" AND c2."fingerprint" = c."fingerprint"
        AND c2."identityId" <> c."identityId" AND (c2."status" || '') = 'active' WHERE ${liveCred})`),
  },
  {
    id: 'human-use',
    owaspCode: 'NHI10',
    title: () => 'Interactive sign-in by a person',
    severity: fixed('high'),
    when: (c) =>
      sql`EXISTS (SELECT 1 FROM "ActivityEvent" a WHERE a."identityId" = i."id" AND a."kind" = 'interactive_login' AND a."at" >= ${cutoff(c, c.settings.humanUseWindowDays)})`,
  },
]

export const RULE_IDS = RULES.map((r) => r.id)
/** Every rule a finding can carry: the engine's, and those raised by jobs; what a rule filter accepts. */
export const ALL_RULE_IDS = [...RULE_IDS, OWNER_LEFT_RULE, GATEWAY_UNUSUAL_RULE]
/** The rules that read the identity's owner: the only ones an ownership change (owner, backup, team) can settle or raise. */
export const OWNER_RULE_IDS = ['unowned', 'owner-gone'] as const
export const RULE_BY_ID = new Map(RULES.map((r) => [r.id, r]))

export function isOwaspCode(v: string): v is OwaspCode {
  return (OWASP_CODES as readonly string[]).includes(v)
}
