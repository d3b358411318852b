-- AlterTable
ALTER TABLE "TokenExchange" ADD COLUMN "endedAt" DATETIME;

-- CreateIndex
CREATE INDEX "TokenExchange_jti_idx" ON "TokenExchange"("jti");


-- A task ended early (its access token revoked) reaches every gateway process like any revocation: the version bump
-- drops the organization's cached tokens, and the next call with the token finds it ended.
CREATE TRIGGER "TokenExchange_ended_version_au" AFTER UPDATE OF "endedAt" ON "TokenExchange"
WHEN OLD."endedAt" IS NULL AND NEW."endedAt" IS NOT NULL AND NEW."orgId" IS NOT NULL BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
