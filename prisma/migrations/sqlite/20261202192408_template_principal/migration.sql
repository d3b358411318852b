-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CredentialTemplate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "grants" TEXT NOT NULL DEFAULT '[]',
    "defaultTtlSeconds" INTEGER NOT NULL DEFAULT 900,
    "maxTtlSeconds" INTEGER NOT NULL DEFAULT 3600,
    "status" TEXT NOT NULL DEFAULT 'active',
    "principalType" TEXT,
    "identityId" TEXT,
    "teamId" TEXT,
    "tagKey" TEXT,
    "tagValue" TEXT,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CredentialTemplate_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CredentialTemplate_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "CredentialTemplate_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "CredentialTemplate_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_CredentialTemplate" ("createdAt", "createdById", "defaultTtlSeconds", "description", "grants", "id", "maxTtlSeconds", "name", "orgId", "sourceId", "status", "updatedAt") SELECT "createdAt", "createdById", "defaultTtlSeconds", "description", "grants", "id", "maxTtlSeconds", "name", "orgId", "sourceId", "status", "updatedAt" FROM "CredentialTemplate";
DROP TABLE "CredentialTemplate";
ALTER TABLE "new_CredentialTemplate" RENAME TO "CredentialTemplate";
CREATE INDEX "CredentialTemplate_sourceId_idx" ON "CredentialTemplate"("sourceId");
CREATE INDEX "CredentialTemplate_identityId_idx" ON "CredentialTemplate"("identityId");
CREATE INDEX "CredentialTemplate_teamId_idx" ON "CredentialTemplate"("teamId");
CREATE UNIQUE INDEX "CredentialTemplate_orgId_name_key" ON "CredentialTemplate"("orgId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

