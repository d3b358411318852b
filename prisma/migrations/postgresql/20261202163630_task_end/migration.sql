-- AlterTable
ALTER TABLE "TokenExchange" ADD COLUMN     "endedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "TokenExchange_jti_idx" ON "TokenExchange"("jti");


-- A task ended early (its access token revoked) reaches every gateway process like any revocation (NOTIFY at commit).
CREATE TRIGGER "TokenExchange_ended_notify_au" AFTER UPDATE OF "endedAt" ON "TokenExchange" FOR EACH ROW
  WHEN (OLD."endedAt" IS NULL AND NEW."endedAt" IS NOT NULL AND NEW."orgId" IS NOT NULL) EXECUTE FUNCTION "gateway_notify_new"();
