-- DropIndex
DROP INDEX "Identity_orgId_ownerId_status_idx";

-- DropIndex
DROP INDEX "Identity_orgId_backupOwnerId_idx";

-- DropIndex
DROP INDEX "ReviewItem_campaignId_reviewerId_status_idx";

-- CreateIndex
CREATE INDEX "Identity_orgId_ownerId_status_attestationDue_idx" ON "Identity"("orgId", "ownerId", "status", "attestationDue");

-- CreateIndex
CREATE INDEX "Identity_orgId_ownerId_riskScore_name_id_status_idx" ON "Identity"("orgId", "ownerId", "riskScore" DESC, "name", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_backupOwnerId_riskScore_name_id_status_owner_idx" ON "Identity"("orgId", "backupOwnerId", "riskScore" DESC, "name", "id", "status", "ownerId");

-- CreateIndex
CREATE INDEX "ReviewItem_orgId_reviewerId_status_campaignId_id_idx" ON "ReviewItem"("orgId", "reviewerId", "status", "campaignId", "id");

