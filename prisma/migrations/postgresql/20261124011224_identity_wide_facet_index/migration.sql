-- DropIndex
DROP INDEX "Identity_orgId_kind_environment_status_sourceId_idx";

-- CreateIndex
CREATE INDEX "Identity_orgId_kind_environment_status_sourceId_privileged__idx" ON "Identity"("orgId", "kind", "environment", "status", "sourceId", "privileged", "ownerId", "lastUsedAt", "oldestSecretAt");

