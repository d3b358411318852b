import 'server-only'
import { ROWS_PER_STATEMENT } from '@/lib/sql/bulk'
import { CUSTODIAN_CREDENTIAL_KINDS_SQL } from '@/lib/inventory/schemas'
import { inChunks, sql, type SqlClient } from '@/lib/sql/sql'

/** Keeps the denormalized Identity columns (privileged, grantCount, credentialCount, oldestSecretAt) in step with grants and credentials. */
export async function rollupIdentities(s: SqlClient, identityIds: readonly string[]): Promise<void> {
  await inChunks(identityIds, ROWS_PER_STATEMENT, async (chunk) => {
    await s.execute(
      sql`UPDATE "Identity" SET
        "grantCount" = (SELECT COUNT(*) FROM "Grant" g WHERE g."identityId" = "Identity"."id" AND g."status" = 'active'),
        "privileged" = EXISTS (SELECT 1 FROM "Grant" g WHERE g."identityId" = "Identity"."id" AND g."status" = 'active' AND g."privileged" = TRUE),
        "credentialCount" = (SELECT COUNT(*) FROM "Credential" c WHERE c."identityId" = "Identity"."id" AND c."status" <> 'revoked'),
        "oldestSecretAt" = (SELECT MIN(COALESCE(c."lastRotatedAt", c."createdAt")) FROM "Credential" c WHERE c."identityId" = "Identity"."id" AND c."status" = 'active' AND c."kind" NOT IN ${sql.raw(CUSTODIAN_CREDENTIAL_KINDS_SQL)})
       WHERE "id" ${sql.isIn(chunk)}`,
    )
  })
}
