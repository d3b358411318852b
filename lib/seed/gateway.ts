// The demo gateway route: `/demo` on the gateway reaches a small upstream on loopback (started by `npm run gateway --
// --demo`, which `npm start` runs in demo mode) with an API key the gateway injects. The route is a Resource of the
// organization's "Custodian gateway" source, its rule an Entitlement with a Grant for one seeded NHI, exactly as the
// management pages create them. The demo token is created only in demo mode (ensureDemoGatewayToken), written to a
// file readable by its owner alone; the seed itself writes no token.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { hashToken, newToken, parseToken } from '../api-tokens/format'
import { newId } from '../sql/bulk'
import { sql, type SqlClient } from '../sql/sql'

const DAY = 86_400_000

export const DEMO_GATEWAY = {
  routeName: 'demo',
  pathPrefix: '/demo',
  /** the environment variable holding the demo upstream's API key (set at random by the demo gateway when missing) */
  secretRef: 'GATEWAY_DEMO_UPSTREAM_KEY',
  upstreamPort: 8089,
  methods: ['GET', 'POST'],
  paths: ['/hello', '/echo', '/orders/*'],
  tokenName: 'Demo gateway token',
} as const

export interface DemoGateway {
  orgId: string
  routeId: string
  identityId: string
  identityName: string
}

/** Writes the demo route and its rule (idempotent: an existing `/demo` route is kept as it is). */
export async function seedDemoGateway(s: SqlClient, opts: { orgId: string; upstreamUrl?: string; now?: number }): Promise<DemoGateway | null> {
  const { orgId } = opts
  const now = opts.now ?? Date.now()
  const upstreamUrl = opts.upstreamUrl ?? `http://127.0.0.1:${DEMO_GATEWAY.upstreamPort}`
  const [existing] = await s.query<{ routeId: string; identityId: string; identityName: string }>(
    sql`SELECT r."id" AS "routeId", i."id" AS "identityId", i."name" AS "identityName"
        FROM "GatewayRoute" r JOIN "GatewayRule" g ON g."routeId" = r."id" JOIN "Identity" i ON i."id" = g."identityId"
        WHERE r."orgId" = ${orgId} AND r."pathPrefix" = ${DEMO_GATEWAY.pathPrefix} ORDER BY g."createdAt" LIMIT 1`,
  )
  if (existing) return { orgId, ...existing }
  // One seeded NHI: the first active production service account by name (deterministic for a given seed).
  const [identity] = await s.query<{ id: string; name: string }>(
    sql`SELECT "id", "name" FROM "Identity" WHERE "orgId" = ${orgId} AND "status" = 'active' AND "kind" = 'service_account'
        AND "environment" = 'production' ORDER BY "name" LIMIT 1`,
  )
  if (!identity) return null
  return s.transaction(async (tx) => {
    let [source] = await tx.query<{ id: string }>(sql`SELECT "id" FROM "Source" WHERE "orgId" = ${orgId} AND "type" = 'gateway' ORDER BY "createdAt" LIMIT 1`)
    if (!source) {
      source = { id: newId() }
      await tx.execute(
        sql`INSERT INTO "Source" ("id", "orgId", "name", "type", "config", "status", "createdAt") VALUES (${source.id}, ${orgId}, 'Custodian gateway', 'gateway', '{}', 'active', ${sql.date(now)})`,
      )
    }
    const resourceId = newId()
    const routeId = newId()
    const entitlementId = newId()
    const at = sql.date(now)
    await tx.execute(
      sql`INSERT INTO "Resource" ("id", "orgId", "sourceId", "externalId", "name", "type", "environment", "createdAt")
          VALUES (${resourceId}, ${orgId}, ${source.id}, ${`route:${DEMO_GATEWAY.pathPrefix}`}, ${DEMO_GATEWAY.routeName}, 'gateway_route', 'development', ${at})`,
    )
    await tx.execute(
      sql`INSERT INTO "GatewayRoute" ("id", "orgId", "name", "pathPrefix", "upstreamUrl", "authKind", "authHeader", "authPrefix", "secretRef",
            "connectTimeoutMs", "timeoutMs", "maxBodyBytes", "ratePerSecond", "burst", "status", "resourceId", "createdAt", "updatedAt")
          VALUES (${routeId}, ${orgId}, ${DEMO_GATEWAY.routeName}, ${DEMO_GATEWAY.pathPrefix}, ${upstreamUrl}, 'header', 'X-Api-Key', NULL,
            ${DEMO_GATEWAY.secretRef}, 5000, 10000, 1048576, 20, 40, 'active', ${resourceId}, ${at}, ${at})`,
    )
    await tx.execute(
      sql`INSERT INTO "Entitlement" ("id", "orgId", "sourceId", "resourceId", "externalId", "name", "description", "privileged", "createdAt")
          VALUES (${entitlementId}, ${orgId}, ${source.id}, ${resourceId}, ${`rule:${identity.id}`}, ${`${DEMO_GATEWAY.methods.join(', ')} ${DEMO_GATEWAY.paths.join(', ')}`},
            'Gateway rule of the demo route', ${false}, ${at})`,
    )
    await tx.execute(
      sql`INSERT INTO "GatewayRule" ("id", "orgId", "routeId", "principalType", "identityId", "methods", "paths", "entitlementId", "createdAt")
          VALUES (${newId()}, ${orgId}, ${routeId}, 'identity', ${identity.id}, ${JSON.stringify(DEMO_GATEWAY.methods)}, ${JSON.stringify(DEMO_GATEWAY.paths)}, ${entitlementId}, ${at})`,
    )
    await tx.execute(
      sql`INSERT INTO "Grant" ("id", "orgId", "identityId", "entitlementId", "privileged", "createdAt", "status", "usageReported")
          VALUES (${newId()}, ${orgId}, ${identity.id}, ${entitlementId}, ${false}, ${at}, 'active', ${true})`,
    )
    return { orgId, routeId, identityId: identity.id, identityName: identity.name }
  })
}

/**
 * Demo mode only: the demo identity's gateway token, kept in `file` (mode 0600). A token still valid in the file is
 * reused; otherwise a new one is created (90 days) and written there. Returns the plaintext, which only that file holds.
 */
export async function ensureDemoGatewayToken(s: SqlClient, demo: DemoGateway, file: string, now = Date.now()): Promise<string> {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim()
    if (parseToken(token)) {
      const [row] = await s.query<{ id: string }>(
        sql`SELECT "id" FROM "ApiToken" WHERE "orgId" = ${demo.orgId} AND "hash" = ${hashToken(token)} AND "revokedAt" IS NULL
            AND "expiresAt" > ${sql.date(now)} AND "identityId" = ${demo.identityId}`,
      )
      if (row) return token
    }
  }
  const t = newToken()
  await s.execute(
    sql`INSERT INTO "ApiToken" ("id", "orgId", "name", "prefix", "hash", "scopes", "allowedIps", "expiresAt", "identityId", "createdAt")
        VALUES (${newId()}, ${demo.orgId}, ${DEMO_GATEWAY.tokenName}, ${t.prefix}, ${t.hash}, ${JSON.stringify(['gateway:call'])}, '[]',
          ${sql.date(now + 90 * DAY)}, ${demo.identityId}, ${sql.date(now)})`,
  )
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, `${t.token}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return t.token
}
