-- DropIndex
DROP INDEX "Credential_identityId_idx";

-- DropIndex
DROP INDEX "Finding_identityId_status_owaspCode_idx";

-- CreateIndex
CREATE INDEX "Credential_identityId_status_expiresAt_lastRotatedAt_create_idx" ON "Credential"("identityId", "status", "expiresAt", "lastRotatedAt", "createdAt");

-- CreateIndex
CREATE INDEX "Finding_identityId_status_owaspCode_rule_idx" ON "Finding"("identityId", "status", "owaspCode", "rule");

