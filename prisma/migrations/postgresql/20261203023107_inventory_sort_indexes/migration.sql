-- DropIndex
DROP INDEX "Identity_orgId_name_id_idx";

-- DropIndex
DROP INDEX "Identity_orgId_kind_name_idx";

-- DropIndex
DROP INDEX "Identity_orgId_environment_name_idx";

-- DropIndex
DROP INDEX "Identity_orgId_status_name_idx";

-- DropIndex
DROP INDEX "Identity_orgId_lastUsedAt_id_idx";

-- DropIndex
DROP INDEX "Identity_orgId_createdAt_idx";

-- DropIndex
DROP INDEX "Identity_orgId_riskScore_id_idx";

-- DropIndex
DROP INDEX "Identity_orgId_oldestSecretAt_id_idx";

-- CreateIndex
CREATE INDEX "Identity_orgId_name_id_status_idx" ON "Identity"("orgId", "name", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_kind_name_id_status_idx" ON "Identity"("orgId", "kind", "name", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_environment_name_id_status_idx" ON "Identity"("orgId", "environment", "name", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_status_name_id_idx" ON "Identity"("orgId", "status", "name", "id");

-- CreateIndex
CREATE INDEX "Identity_orgId_lastUsedAt_id_status_idx" ON "Identity"("orgId", "lastUsedAt", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_createdAt_id_status_idx" ON "Identity"("orgId", "createdAt", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_riskScore_id_status_idx" ON "Identity"("orgId", "riskScore", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_grantCount_id_status_idx" ON "Identity"("orgId", "grantCount", "id", "status");

-- CreateIndex
CREATE INDEX "Identity_orgId_oldestSecretAt_id_status_idx" ON "Identity"("orgId", "oldestSecretAt", "id", "status");

