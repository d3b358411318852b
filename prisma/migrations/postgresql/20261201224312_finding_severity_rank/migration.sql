-- AlterTable
ALTER TABLE "Finding" ADD COLUMN     "acceptedAt" TIMESTAMP(3),
ADD COLUMN     "severityRank" INTEGER NOT NULL DEFAULT 3;

-- CreateIndex
CREATE INDEX "Finding_orgId_status_severityRank_lastSeenAt_idx" ON "Finding"("orgId", "status", "severityRank", "lastSeenAt");


-- Existing findings take the rank of their severity.
UPDATE "Finding" SET "severityRank" = CASE "severity" WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END;
