-- DropIndex
DROP INDEX "Finding_orgId_status_severityRank_lastSeenAt_idx";

-- DropIndex
DROP INDEX "ReviewItem_orgId_reviewerId_status_idx";

-- AlterTable
ALTER TABLE "Finding" ADD COLUMN     "identityRisk" INTEGER NOT NULL DEFAULT 0;

-- Backfill: each finding takes its identity's current risk
UPDATE "Finding" f SET "identityRisk" = i."riskScore" FROM "Identity" i WHERE i."id" = f."identityId" AND i."riskScore" <> 0;

-- CreateIndex
CREATE INDEX "Identity_orgId_ownerId_status_idx" ON "Identity"("orgId", "ownerId", "status");

-- CreateIndex
CREATE INDEX "Finding_orgId_status_severityRank_identityRisk_id_idx" ON "Finding"("orgId", "status", "severityRank", "identityRisk" DESC, "id");

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


-- Triggers that keep "Finding"."identityRisk" equal to its identity's "riskScore" (PostgreSQL), for the Findings
-- page's order. A risk update touches only the findings of identities whose score changed.

CREATE OR REPLACE FUNCTION "finding_risk_from_identity"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Finding" SET "identityRisk" = NEW."riskScore" WHERE "identityId" = NEW."id" AND "identityRisk" IS DISTINCT FROM NEW."riskScore";
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS "Identity_risk_au" ON "Identity";
CREATE TRIGGER "Identity_risk_au" AFTER UPDATE OF "riskScore" ON "Identity" FOR EACH ROW
WHEN (OLD."riskScore" IS DISTINCT FROM NEW."riskScore") EXECUTE FUNCTION "finding_risk_from_identity"();

CREATE OR REPLACE FUNCTION "finding_risk_on_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."identityRisk" := COALESCE((SELECT "riskScore" FROM "Identity" WHERE "id" = NEW."identityId"), 0);
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS "Finding_risk_bi" ON "Finding";
CREATE TRIGGER "Finding_risk_bi" BEFORE INSERT ON "Finding" FOR EACH ROW EXECUTE FUNCTION "finding_risk_on_insert"();
