-- DropIndex
DROP INDEX "Identity_orgId_kind_environment_status_sourceId_idx";

-- CreateIndex
CREATE INDEX "Identity_orgId_kind_environment_status_sourceId_privileged_ownerId_lastUsedAt_oldestSecretAt_idx" ON "Identity"("orgId", "kind", "environment", "status", "sourceId", "privileged", "ownerId", "lastUsedAt", "oldestSecretAt");

