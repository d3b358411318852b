-- CreateIndex
CREATE INDEX "Identity_orgId_id_idx" ON "Identity"("orgId", "id");

-- CreateIndex
CREATE INDEX "Identity_orgId_kind_environment_status_sourceId_idx" ON "Identity"("orgId", "kind", "environment", "status", "sourceId");

