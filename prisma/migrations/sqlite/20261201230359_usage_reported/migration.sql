-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Identity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "environment" TEXT NOT NULL DEFAULT 'unknown',
    "status" TEXT NOT NULL DEFAULT 'active',
    "description" TEXT,
    "createdAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME,
    "discoveredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "ownerId" TEXT,
    "backupOwnerId" TEXT,
    "teamId" TEXT,
    "ownerOrigin" TEXT,
    "ownerAssignedAt" DATETIME,
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "grantCount" INTEGER NOT NULL DEFAULT 0,
    "credentialCount" INTEGER NOT NULL DEFAULT 0,
    "oldestSecretAt" DATETIME,
    "riskScore" INTEGER NOT NULL DEFAULT 0,
    "openFindings" INTEGER NOT NULL DEFAULT 0,
    "lastAttestedAt" DATETIME,
    "attestationDue" DATETIME,
    "usageReported" BOOLEAN NOT NULL DEFAULT true,
    CONSTRAINT "Identity_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Identity_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Identity_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Identity_backupOwnerId_fkey" FOREIGN KEY ("backupOwnerId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Identity_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Identity" ("attestationDue", "backupOwnerId", "createdAt", "credentialCount", "description", "discoveredAt", "environment", "externalId", "grantCount", "id", "kind", "lastAttestedAt", "lastUsedAt", "metadata", "name", "oldestSecretAt", "openFindings", "orgId", "ownerAssignedAt", "ownerId", "ownerOrigin", "privileged", "riskScore", "searchText", "sourceId", "status", "teamId", "updatedAt") SELECT "attestationDue", "backupOwnerId", "createdAt", "credentialCount", "description", "discoveredAt", "environment", "externalId", "grantCount", "id", "kind", "lastAttestedAt", "lastUsedAt", "metadata", "name", "oldestSecretAt", "openFindings", "orgId", "ownerAssignedAt", "ownerId", "ownerOrigin", "privileged", "riskScore", "searchText", "sourceId", "status", "teamId", "updatedAt" FROM "Identity";
DROP TABLE "Identity";
ALTER TABLE "new_Identity" RENAME TO "Identity";
CREATE INDEX "Identity_orgId_id_idx" ON "Identity"("orgId", "id");
CREATE INDEX "Identity_orgId_kind_environment_status_sourceId_privileged_ownerId_lastUsedAt_oldestSecretAt_idx" ON "Identity"("orgId", "kind", "environment", "status", "sourceId", "privileged", "ownerId", "lastUsedAt", "oldestSecretAt");
CREATE INDEX "Identity_orgId_name_id_idx" ON "Identity"("orgId", "name", "id");
CREATE INDEX "Identity_orgId_kind_name_idx" ON "Identity"("orgId", "kind", "name");
CREATE INDEX "Identity_orgId_sourceId_name_idx" ON "Identity"("orgId", "sourceId", "name");
CREATE INDEX "Identity_orgId_environment_name_idx" ON "Identity"("orgId", "environment", "name");
CREATE INDEX "Identity_orgId_status_name_idx" ON "Identity"("orgId", "status", "name");
CREATE INDEX "Identity_orgId_ownerId_name_idx" ON "Identity"("orgId", "ownerId", "name");
CREATE INDEX "Identity_orgId_backupOwnerId_idx" ON "Identity"("orgId", "backupOwnerId");
CREATE INDEX "Identity_orgId_teamId_idx" ON "Identity"("orgId", "teamId");
CREATE INDEX "Identity_orgId_privileged_name_idx" ON "Identity"("orgId", "privileged", "name");
CREATE INDEX "Identity_orgId_lastUsedAt_idx" ON "Identity"("orgId", "lastUsedAt");
CREATE INDEX "Identity_orgId_createdAt_idx" ON "Identity"("orgId", "createdAt");
CREATE INDEX "Identity_orgId_riskScore_idx" ON "Identity"("orgId", "riskScore");
CREATE INDEX "Identity_orgId_oldestSecretAt_idx" ON "Identity"("orgId", "oldestSecretAt");
CREATE INDEX "Identity_orgId_attestationDue_idx" ON "Identity"("orgId", "attestationDue");
CREATE UNIQUE INDEX "Identity_sourceId_externalId_key" ON "Identity"("sourceId", "externalId");
CREATE TABLE "new_Credential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "externalId" TEXT,
    "kind" TEXT NOT NULL,
    "label" TEXT,
    "fingerprint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "lastRotatedAt" DATETIME,
    "expiresAt" DATETIME,
    "lastUsedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'active',
    "rotatedById" TEXT,
    "usageReported" BOOLEAN NOT NULL DEFAULT true,
    CONSTRAINT "Credential_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Credential_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Credential" ("createdAt", "expiresAt", "externalId", "fingerprint", "id", "identityId", "kind", "label", "lastRotatedAt", "lastUsedAt", "orgId", "rotatedById", "status") SELECT "createdAt", "expiresAt", "externalId", "fingerprint", "id", "identityId", "kind", "label", "lastRotatedAt", "lastUsedAt", "orgId", "rotatedById", "status" FROM "Credential";
DROP TABLE "Credential";
ALTER TABLE "new_Credential" RENAME TO "Credential";
CREATE INDEX "Credential_identityId_idx" ON "Credential"("identityId");
CREATE INDEX "Credential_orgId_fingerprint_idx" ON "Credential"("orgId", "fingerprint");
CREATE INDEX "Credential_orgId_status_createdAt_idx" ON "Credential"("orgId", "status", "createdAt");
CREATE INDEX "Credential_orgId_expiresAt_idx" ON "Credential"("orgId", "expiresAt");
CREATE TABLE "new_Grant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "entitlementId" TEXT NOT NULL,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL,
    "lastUsedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'active',
    "revokedAt" DATETIME,
    "usageReported" BOOLEAN NOT NULL DEFAULT true,
    CONSTRAINT "Grant_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Grant_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Grant_entitlementId_fkey" FOREIGN KEY ("entitlementId") REFERENCES "Entitlement" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Grant" ("createdAt", "entitlementId", "id", "identityId", "lastUsedAt", "orgId", "privileged", "revokedAt", "status") SELECT "createdAt", "entitlementId", "id", "identityId", "lastUsedAt", "orgId", "privileged", "revokedAt", "status" FROM "Grant";
DROP TABLE "Grant";
ALTER TABLE "new_Grant" RENAME TO "Grant";
CREATE INDEX "Grant_orgId_privileged_lastUsedAt_idx" ON "Grant"("orgId", "privileged", "lastUsedAt");
CREATE INDEX "Grant_entitlementId_idx" ON "Grant"("entitlementId");
CREATE UNIQUE INDEX "Grant_identityId_entitlementId_key" ON "Grant"("identityId", "entitlementId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

