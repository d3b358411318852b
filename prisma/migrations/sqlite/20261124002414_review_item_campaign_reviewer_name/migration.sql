-- CreateIndex
CREATE INDEX "ReviewItem_campaignId_reviewerId_status_identityName_idx" ON "ReviewItem"("campaignId", "reviewerId", "status", "identityName");

