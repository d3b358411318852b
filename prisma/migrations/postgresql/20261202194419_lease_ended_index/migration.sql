-- CreateIndex
CREATE INDEX "Lease_orgId_endedAt_idx" ON "Lease"("orgId", "endedAt");

