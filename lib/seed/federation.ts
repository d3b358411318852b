// The demo's workload federation: acme trusts GitHub Actions, with one rule mapping the payments repository's main
// branch to a CI/CD identity (which then holds a federated credential, as the management pages would make it), and a
// day of exchanges — issued, some for tasks, and refused for the usual reasons — so the Federation page and the
// dashboard's runtime posture have something to show. Rows written exactly as lib/federation/mutations.ts and the
// exchange write them; idempotent (an existing provider is kept as it is).
import { createHash } from 'node:crypto'
import { newId } from '../sql/bulk'
import { sql, type SqlClient } from '../sql/sql'

const HOUR = 3_600_000
export const DEMO_FEDERATION = {
  issuer: 'https://token.actions.githubusercontent.com',
  /** the recommended audience for the default APP_URL (http://localhost:3000) and the acme slug */
  audience: 'http://localhost:3000/acme',
  repositoryId: '892341',
  repositoryOwnerId: '1001',
} as const

const REFUSALS = ['wrong-audience', 'expired', 'no-rule', 'replayed', 'no-rule', 'bad-signature'] as const
const TASKS = ['deploy payments 1.4.2', 'run database migrations', null, 'deploy payments 1.4.3', null, 'rotate feature flags'] as const

export async function seedDemoFederation(s: SqlClient, opts: { orgId: string; now: number }): Promise<{ ruleId: string; identityId: string } | null> {
  const { orgId, now } = opts
  const [existing] = await s.query<{ id: string }>(sql`SELECT "id" FROM "TrustProvider" WHERE "orgId" = ${orgId} LIMIT 1`)
  if (existing) return null
  // A production CI/CD identity of a GitHub source (deterministic for a given seed).
  const [identity] = await s.query<{ id: string; name: string }>(
    sql`SELECT i."id", i."name" FROM "Identity" i JOIN "Source" src ON src."id" = i."sourceId"
        WHERE i."orgId" = ${orgId} AND i."status" = 'active' AND i."kind" = 'ci_cd' AND src."type" = 'github' ORDER BY i."name" LIMIT 1`,
  )
  if (!identity) return null
  const [taken] = await s.query(
    sql`SELECT 1 AS "x" FROM "TrustProviderAudience" WHERE "issuer" = ${DEMO_FEDERATION.issuer} AND "audience" = ${DEMO_FEDERATION.audience}`,
  )
  if (taken) return null
  const providerId = newId()
  const ruleId = newId()
  const at = sql.date(now - 30 * 24 * HOUR)
  const condition = `context.claims.repository_id == "${DEMO_FEDERATION.repositoryId}" && context.claims.repository_owner_id == "${DEMO_FEDERATION.repositoryOwnerId}" && context.claims.ref == "refs/heads/main"`
  return s.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO "TrustProvider" ("id", "orgId", "name", "issuer", "audiences", "jwksUri", "preset", "status", "createdAt", "updatedAt")
          VALUES (${providerId}, ${orgId}, 'GitHub Actions', ${DEMO_FEDERATION.issuer}, ${JSON.stringify([DEMO_FEDERATION.audience])}, NULL, 'github', 'active', ${at}, ${at})`,
    )
    await tx.execute(
      sql`INSERT INTO "TrustProviderAudience" ("id", "orgId", "providerId", "issuer", "audience")
          VALUES (${newId()}, ${orgId}, ${providerId}, ${DEMO_FEDERATION.issuer}, ${DEMO_FEDERATION.audience})`,
    )
    await tx.execute(
      sql`INSERT INTO "TrustRule" ("id", "orgId", "providerId", "name", "identityId", "condition", "scopes", "audiences", "maxTtlSeconds", "status", "createdAt", "updatedAt")
          VALUES (${ruleId}, ${orgId}, ${providerId}, 'payments deploy from main', ${identity.id}, ${condition},
            ${JSON.stringify(['findings:read', 'gateway:call', 'identities:read'])}, ${JSON.stringify(['custodian-api'])}, 900, 'active', ${at}, ${at})`,
    )
    // The rule's federated credential (lib/federation/credential.ts), last used by the latest exchange below.
    await tx.execute(
      sql`INSERT INTO "Credential" ("id", "orgId", "identityId", "externalId", "kind", "label", "fingerprint", "createdAt", "lastUsedAt", "status", "usageReported")
          VALUES (${newId()}, ${orgId}, ${identity.id}, ${`trust-rule:${ruleId}`}, 'federated', 'GitHub Actions: payments deploy from main',
            ${`federated:${ruleId}`}, ${at}, ${sql.date(now - HOUR)}, 'active', ${true})`,
    )
    await tx.execute(sql`UPDATE "Identity" SET "credentialCount" = "credentialCount" + 1 WHERE "id" = ${identity.id}`)
    // A day of exchanges: one issued an hour (tasks on some), six refused.
    for (let h = 24; h >= 1; h--) {
      const t = now - h * HOUR
      const jti = createHash('sha256').update(`${ruleId}:${h}`).digest('hex').slice(0, 32)
      await tx.execute(
        sql`INSERT INTO "TokenExchange" ("id", "orgId", "providerId", "ruleId", "identityId", "issuer", "subject", "replayKey", "spentKey", "outcome",
              "jti", "scope", "audience", "task", "expiresAt", "at")
            VALUES (${newId()}, ${orgId}, ${providerId}, ${ruleId}, ${identity.id}, ${DEMO_FEDERATION.issuer}, 'repo:acme/payments:ref:refs/heads/main',
              ${`demo-${jti}`}, ${`demo-${jti}`}, 'issued', ${jti}, 'identities:read', 'custodian-api', ${TASKS[h % TASKS.length]}, ${sql.date(t + 15 * 60_000)}, ${sql.date(t)})`,
      )
    }
    for (let i = 0; i < REFUSALS.length; i++) {
      const t = now - (i * 3 + 2) * HOUR - 17 * 60_000
      await tx.execute(
        sql`INSERT INTO "TokenExchange" ("id", "orgId", "providerId", "issuer", "subject", "replayKey", "outcome", "reason", "at")
            VALUES (${newId()}, ${orgId}, ${providerId}, ${DEMO_FEDERATION.issuer}, 'repo:acme/payments:ref:refs/heads/feature-x',
              ${`demo-refused-${i}`}, 'refused', ${REFUSALS[i]}, ${sql.date(t)})`,
      )
    }
    return { ruleId, identityId: identity.id }
  })
}
