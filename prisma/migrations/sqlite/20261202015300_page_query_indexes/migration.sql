-- DropIndex
DROP INDEX "Identity_orgId_lastUsedAt_idx";

-- DropIndex
DROP INDEX "Identity_orgId_riskScore_idx";

-- DropIndex
DROP INDEX "Identity_orgId_oldestSecretAt_idx";

-- CreateIndex
CREATE INDEX "Identity_orgId_lastUsedAt_id_idx" ON "Identity"("orgId", "lastUsedAt", "id");

-- CreateIndex
CREATE INDEX "Identity_orgId_riskScore_id_idx" ON "Identity"("orgId", "riskScore" DESC, "id");

-- CreateIndex
CREATE INDEX "Identity_orgId_oldestSecretAt_id_idx" ON "Identity"("orgId", "oldestSecretAt", "id");

-- CreateIndex
CREATE INDEX "Finding_identityId_status_owaspCode_idx" ON "Finding"("identityId", "status", "owaspCode");

