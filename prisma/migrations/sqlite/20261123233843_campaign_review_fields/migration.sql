-- AlterTable
ALTER TABLE "ReviewItem" ADD COLUMN "escalatedAt" DATETIME;
ALTER TABLE "ReviewItem" ADD COLUMN "firstDecision" TEXT;
ALTER TABLE "ReviewItem" ADD COLUMN "firstViewedAt" DATETIME;
ALTER TABLE "ReviewItem" ADD COLUMN "reduceGrantIds" TEXT;

-- AlterTable
ALTER TABLE "Decision" ADD COLUMN "elapsedMs" INTEGER;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'draft',
    "fallbackReviewerId" TEXT,
    "secondStage" TEXT NOT NULL DEFAULT 'none',
    "startAt" DATETIME,
    "dueAt" DATETIME,
    "reminders" TEXT NOT NULL DEFAULT '[]',
    "defaultDecision" TEXT NOT NULL DEFAULT 'open',
    "justificationRule" TEXT NOT NULL DEFAULT 'revoke',
    "autoRemediate" BOOLEAN NOT NULL DEFAULT false,
    "recurrence" TEXT NOT NULL DEFAULT 'none',
    "previousId" TEXT,
    "currentStage" INTEGER NOT NULL DEFAULT 1,
    "signoffReviewerId" TEXT,
    "graceDays" INTEGER NOT NULL DEFAULT 0,
    "fallbackCount" INTEGER NOT NULL DEFAULT 0,
    "launchError" TEXT,
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "decidedCount" INTEGER NOT NULL DEFAULT 0,
    "launchedAt" DATETIME,
    "closedAt" DATETIME,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Campaign_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Campaign" ("autoRemediate", "closedAt", "createdAt", "createdById", "decidedCount", "defaultDecision", "description", "dueAt", "fallbackReviewerId", "id", "itemCount", "justificationRule", "launchedAt", "name", "orgId", "previousId", "recurrence", "reminders", "scope", "secondStage", "startAt", "status", "type") SELECT "autoRemediate", "closedAt", "createdAt", "createdById", "decidedCount", "defaultDecision", "description", "dueAt", "fallbackReviewerId", "id", "itemCount", "justificationRule", "launchedAt", "name", "orgId", "previousId", "recurrence", "reminders", "scope", "secondStage", "startAt", "status", "type" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_orgId_status_idx" ON "Campaign"("orgId", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Decision_orgId_decidedById_createdAt_idx" ON "Decision"("orgId", "decidedById", "createdAt");

