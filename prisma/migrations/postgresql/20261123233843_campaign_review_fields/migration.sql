-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "currentStage" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "fallbackCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "graceDays" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "launchError" TEXT,
ADD COLUMN     "signoffReviewerId" TEXT;

-- AlterTable
ALTER TABLE "ReviewItem" ADD COLUMN     "escalatedAt" TIMESTAMP(3),
ADD COLUMN     "firstDecision" TEXT,
ADD COLUMN     "firstViewedAt" TIMESTAMP(3),
ADD COLUMN     "reduceGrantIds" TEXT;

-- AlterTable
ALTER TABLE "Decision" ADD COLUMN     "elapsedMs" INTEGER;

-- CreateIndex
CREATE INDEX "Decision_orgId_decidedById_createdAt_idx" ON "Decision"("orgId", "decidedById", "createdAt");

