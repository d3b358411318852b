-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Finding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "owaspCode" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "severityRank" INTEGER NOT NULL DEFAULT 3,
    "title" TEXT NOT NULL,
    "detail" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" DATETIME,
    "acceptedUntil" DATETIME,
    "acceptedReason" TEXT,
    "acceptedById" TEXT,
    "acceptedAt" DATETIME,
    CONSTRAINT "Finding_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Finding_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Finding" ("acceptedById", "acceptedReason", "acceptedUntil", "detail", "firstSeenAt", "id", "identityId", "lastSeenAt", "orgId", "owaspCode", "resolvedAt", "rule", "severity", "status", "title") SELECT "acceptedById", "acceptedReason", "acceptedUntil", "detail", "firstSeenAt", "id", "identityId", "lastSeenAt", "orgId", "owaspCode", "resolvedAt", "rule", "severity", "status", "title" FROM "Finding";
DROP TABLE "Finding";
ALTER TABLE "new_Finding" RENAME TO "Finding";
CREATE INDEX "Finding_orgId_status_owaspCode_idx" ON "Finding"("orgId", "status", "owaspCode");
CREATE INDEX "Finding_orgId_status_severity_idx" ON "Finding"("orgId", "status", "severity");
CREATE INDEX "Finding_orgId_status_severityRank_lastSeenAt_idx" ON "Finding"("orgId", "status", "severityRank", "lastSeenAt");
CREATE UNIQUE INDEX "Finding_identityId_rule_key" ON "Finding"("identityId", "rule");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- Existing findings take the rank of their severity.
UPDATE "Finding" SET "severityRank" = CASE "severity" WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END;
