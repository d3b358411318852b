// What the gateway reads from the database when a cache is cold: a token by its hash, an organization's routes and
// rules, one identity as a policy principal, and the change versions. Every query is scoped by orgId once the token
// has named the organization.
import { createPublicKey, type KeyObject } from 'node:crypto'
import type { BlockList } from 'node:net'
import { addressList } from '@/lib/api-tokens/allow-list'
import { GATEWAY_UNUSUAL_RULE } from '@/lib/findings/rules'
import { stringsOf } from '@/lib/json'
import { sql } from '@/lib/sql/sql'
import type { GatewayDb } from './db'
import type { Principal, RuleRow } from './policy'
import type { AuthRoute } from './upstream-auth'

export interface TokenRow {
  id: string
  orgId: string
  identityId: string | null
  scopes: string
  allowedIps: string
  expiresAt: unknown
  revokedAt: unknown
  hash: string
  previousHash: string | null
  previousExpiresAt: unknown
}

export interface CachedToken {
  id: string
  orgId: string
  identityId: string | null
  gatewayScope: boolean
  revoked: boolean
  /** epoch ms after which this secret (the current one, or the previous one during a rotation overlap) is refused */
  expiresAt: number
  /** null: any address */
  allowed: BlockList | null
  /** an exchanged access token (aud gateway:<route id>): the one route it may call; null for a gateway API token */
  routeId?: string | null
  /** an exchanged access token's task (what organization policies see as context.task) */
  task?: string | null
}

export interface RouteRow extends AuthRoute {
  id: string
  name: string
  /** the environment of the route's Resource: what organization policies see as the Target's */
  environment: string
  pathPrefix: string
  upstreamUrl: string
  maxBodyBytes: number
  ratePerSecond: number
  burst: number
  status: string
}

export function ms(v: unknown): number {
  if (v === null || v === undefined) return NaN
  if (v instanceof Date) return v.getTime()
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  const s = String(v)
  return /^\d+$/.test(s) ? Number(s) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`)
}

/** The token's address allowlist, or null for anywhere; a range that cannot be read allows nothing rather than everything. */
function allowListOf(json: string): BlockList | null {
  const cidrs = stringsOf(json)
  return cidrs.length ? addressList(cidrs).list : null
}

export async function loadToken(db: GatewayDb, hash: string): Promise<CachedToken | null> {
  const [row] = await db.query<TokenRow>(
    sql`SELECT "id", "orgId", "identityId", "scopes", "allowedIps", "expiresAt", "revokedAt", "hash", "previousHash", "previousExpiresAt"
        FROM "ApiToken" WHERE "hash" = ${hash} OR "previousHash" = ${hash}`,
  )
  if (!row) return null
  const current = row.hash === hash
  const expiresAt = current ? ms(row.expiresAt) : Math.min(ms(row.expiresAt), ms(row.previousExpiresAt) || 0)
  return {
    id: row.id,
    orgId: row.orgId,
    identityId: row.identityId,
    gatewayScope: stringsOf(row.scopes).includes('gateway:call'),
    revoked: row.revokedAt !== null && row.revokedAt !== undefined,
    expiresAt,
    allowed: allowListOf(row.allowedIps),
  }
}

export async function loadRoutes(db: GatewayDb, orgId: string): Promise<RouteRow[]> {
  const rows = await db.query<RouteRow>(
    sql`SELECT g."id", g."name", g."pathPrefix", g."upstreamUrl", g."authKind", g."authHeader", g."authPrefix", g."secretRef", g."oauthTokenUrl",
               g."oauthClientId", g."oauthScope", g."connectTimeoutMs", g."timeoutMs", g."maxBodyBytes", g."ratePerSecond", g."burst", g."status",
               r."environment"
        FROM "GatewayRoute" g JOIN "Resource" r ON r."id" = g."resourceId" WHERE g."orgId" = ${orgId}`,
  )
  return rows.map((r) => ({
    ...r,
    connectTimeoutMs: Number(r.connectTimeoutMs),
    timeoutMs: Number(r.timeoutMs),
    maxBodyBytes: Number(r.maxBodyBytes),
    ratePerSecond: Number(r.ratePerSecond),
    burst: Number(r.burst),
  }))
}

export async function loadRules(db: GatewayDb, orgId: string): Promise<(RuleRow & { entitlementId: string })[]> {
  return db.query(
    sql`SELECT "id", "routeId", "principalType", "identityId", "teamId", "tagKey", "tagValue", "methods", "paths", "entitlementId"
        FROM "GatewayRule" WHERE "orgId" = ${orgId}`,
  )
}

/**
 * One identity as the gateway's rules and the organization's policies see it. `withUnusual`: also whether it has an open
 * "unusual gateway use" finding (one probe of the Finding (identityId, rule) unique index), read only when the
 * organization has policies that could ask.
 */
export async function loadPrincipal(db: GatewayDb, orgId: string, identityId: string, withUnusual = false): Promise<Principal | null> {
  const [identity] = await db.query<{
    id: string
    name: string
    status: string
    teamId: string | null
    kind: string
    environment: string
    ownerId: string | null
    privileged: unknown
  }>(
    sql`SELECT "id", "name", "status", "teamId", "kind", "environment", "ownerId", "privileged" FROM "Identity" WHERE "orgId" = ${orgId} AND "id" = ${identityId}`,
  )
  if (!identity) return null
  const unusual = withUnusual
    ? (
        await db.query(
          sql`SELECT 1 AS "x" FROM "Finding" WHERE "identityId" = ${identityId} AND "rule" = ${GATEWAY_UNUSUAL_RULE} AND "orgId" = ${orgId} AND "status" = 'open'`,
        )
      ).length > 0
    : false
  const tags = await db.query<{ key: string; value: string }>(
    sql`SELECT "key", "value" FROM "IdentityTag" WHERE "orgId" = ${orgId} AND "identityId" = ${identityId}`,
  )
  const withdrawn = await db.query<{ id: string }>(
    sql`SELECT r."id" FROM "GatewayRule" r JOIN "Grant" g ON g."entitlementId" = r."entitlementId"
        WHERE r."orgId" = ${orgId} AND g."orgId" = ${orgId} AND g."identityId" = ${identityId} AND g."status" = 'revoked'`,
  )
  return {
    id: identity.id,
    name: identity.name,
    status: identity.status,
    teamId: identity.teamId,
    tags: tags.map((t) => `${t.key}=${t.value}`),
    withdrawn: withdrawn.map((w) => w.id),
    attrs: {
      kind: identity.kind,
      environment: identity.environment,
      owned: identity.ownerId !== null && identity.ownerId !== undefined,
      privileged: identity.privileged === true || Number(identity.privileged) === 1,
      name: identity.name,
    },
    unusual,
  }
}

/** The organization's Cedar policies (lib/policies), when it has written any. */
export async function loadOrgPolicy(db: GatewayDb, orgId: string): Promise<{ text: string; version: number } | null> {
  const [row] = await db.query<{ text: string; version: unknown }>(sql`SELECT "text", "version" FROM "OrgPolicy" WHERE "orgId" = ${orgId}`)
  return row ? { text: row.text, version: Number(row.version) } : null
}

export async function loadVersions(db: GatewayDb): Promise<{ orgId: string; version: number }[]> {
  const rows = await db.query<{ orgId: string; version: unknown }>(sql`SELECT "orgId", "version" FROM "GatewayVersion"`)
  return rows.map((r) => ({ orgId: r.orgId, version: Number(r.version) }))
}

/** An organization's public keys by kid, to verify the access tokens the token exchange issued (aud gateway:<route>). */
export async function loadOrgKeys(db: GatewayDb, orgId: string): Promise<Map<string, KeyObject>> {
  const rows = await db.query<{ kid: string; publicKey: string }>(sql`SELECT "kid", "publicKey" FROM "OrgKey" WHERE "orgId" = ${orgId}`)
  return new Map(rows.map((r) => [r.kid, createPublicKey(r.publicKey)]))
}

/** Whether the task of an exchanged access token was ended early (RFC 7009 revocation): one indexed read by jti. */
export async function loadTaskEnded(db: GatewayDb, jti: string): Promise<boolean> {
  const rows = await db.query(sql`SELECT 1 AS "x" FROM "TokenExchange" WHERE "jti" = ${jti} AND "endedAt" IS NOT NULL`)
  return rows.length > 0
}
