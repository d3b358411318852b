-- DropIndex
DROP INDEX "ReviewItem_orgId_reviewerId_status_idx";

-- AlterTable (a column with a default is added in place: no copy of the Finding table)
ALTER TABLE "Finding" ADD COLUMN "identityRisk" INTEGER NOT NULL DEFAULT 0;

-- DropIndex
DROP INDEX "Finding_orgId_status_severityRank_lastSeenAt_idx";

-- Backfill: each finding takes its identity's current risk
UPDATE "Finding" SET "identityRisk" = (SELECT i."riskScore" FROM "Identity" i WHERE i."id" = "Finding"."identityId");

-- CreateIndex
CREATE INDEX "Finding_orgId_status_severityRank_identityRisk_id_idx" ON "Finding"("orgId", "status", "severityRank", "identityRisk" DESC, "id");

-- CreateIndex
CREATE INDEX "Identity_orgId_ownerId_status_idx" ON "Identity"("orgId", "ownerId", "status");

-- CreateIndex
CREATE INDEX "ReviewItem_orgId_reviewerId_status_createdAt_idx" ON "ReviewItem"("orgId", "reviewerId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "ReviewItem_campaign_stats_idx" ON "ReviewItem"("campaignId", "orgId", "reviewerId", "decision", "decidedById", "recommendation");

-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_orgId_remediationStatus_idx" ON "ReviewItem"("campaignId", "orgId", "remediationStatus");

-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_orgId_identityName_id_idx" ON "ReviewItem"("campaignId", "orgId", "identityName", "id");

-- CreateIndex
CREATE INDEX "Decision_campaignId_orgId_decidedById_bulk_elapsedMs_idx" ON "Decision"("campaignId", "orgId", "decidedById", "bulk", "elapsedMs");


-- Triggers that keep "Finding"."identityRisk" equal to its identity's "riskScore" (SQLite), for the Findings page's
-- order. Appended to any migration that redefines "Identity" or "Finding".

DROP TRIGGER IF EXISTS "Identity_risk_au";
CREATE TRIGGER "Identity_risk_au" AFTER UPDATE OF "riskScore" ON "Identity"
WHEN old."riskScore" IS NOT new."riskScore" BEGIN
  UPDATE "Finding" SET "identityRisk" = new."riskScore" WHERE "identityId" = new."id";
END;

DROP TRIGGER IF EXISTS "Finding_risk_ai";
CREATE TRIGGER "Finding_risk_ai" AFTER INSERT ON "Finding"
WHEN new."identityRisk" IS NOT (SELECT "riskScore" FROM "Identity" WHERE "id" = new."identityId") BEGIN
  UPDATE "Finding" SET "identityRisk" = (SELECT "riskScore" FROM "Identity" WHERE "id" = new."identityId") WHERE "id" = new."id";
END;
