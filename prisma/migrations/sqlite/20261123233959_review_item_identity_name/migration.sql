-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ReviewItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "grantId" TEXT,
    "credentialId" TEXT,
    "reviewerId" TEXT,
    "stage" INTEGER NOT NULL DEFAULT 1,
    "snapshot" TEXT NOT NULL,
    "recommendation" TEXT,
    "recommendationReason" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "decision" TEXT,
    "decidedById" TEXT,
    "decidedAt" DATETIME,
    "justification" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "remediationStatus" TEXT NOT NULL DEFAULT 'none',
    "remediationError" TEXT,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "reduceGrantIds" TEXT,
    "firstDecision" TEXT,
    "firstViewedAt" DATETIME,
    "escalatedAt" DATETIME,
    "identityName" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReviewItem_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReviewItem_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ReviewItem_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ReviewItem" ("campaignId", "createdAt", "credentialId", "decidedAt", "decidedById", "decision", "escalatedAt", "firstDecision", "firstViewedAt", "grantId", "id", "identityId", "justification", "orgId", "privileged", "recommendation", "recommendationReason", "reduceGrantIds", "remediationError", "remediationStatus", "reviewerId", "snapshot", "stage", "status", "version") SELECT "campaignId", "createdAt", "credentialId", "decidedAt", "decidedById", "decision", "escalatedAt", "firstDecision", "firstViewedAt", "grantId", "id", "identityId", "justification", "orgId", "privileged", "recommendation", "recommendationReason", "reduceGrantIds", "remediationError", "remediationStatus", "reviewerId", "snapshot", "stage", "status", "version" FROM "ReviewItem";
DROP TABLE "ReviewItem";
ALTER TABLE "new_ReviewItem" RENAME TO "ReviewItem";
CREATE INDEX "ReviewItem_campaignId_status_idx" ON "ReviewItem"("campaignId", "status");
CREATE INDEX "ReviewItem_orgId_reviewerId_status_idx" ON "ReviewItem"("orgId", "reviewerId", "status");
CREATE INDEX "ReviewItem_campaignId_reviewerId_status_idx" ON "ReviewItem"("campaignId", "reviewerId", "status");
CREATE INDEX "ReviewItem_orgId_reviewerId_status_identityName_idx" ON "ReviewItem"("orgId", "reviewerId", "status", "identityName");
CREATE INDEX "ReviewItem_identityId_idx" ON "ReviewItem"("identityId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

