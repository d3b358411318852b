-- AlterTable
ALTER TABLE "ReviewItem" ADD COLUMN     "identityName" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "ReviewItem_orgId_reviewerId_status_identityName_idx" ON "ReviewItem"("orgId", "reviewerId", "status", "identityName");

