-- CreateTable
CREATE TABLE "Remediation" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "grantId" TEXT,
    "credentialId" TEXT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "openKey" TEXT,
    "justification" TEXT NOT NULL,
    "requestedById" TEXT,
    "reviewItemId" TEXT,
    "jobId" TEXT,
    "simulated" BOOLEAN NOT NULL DEFAULT false,
    "instructions" TEXT,
    "detail" TEXT,
    "lastError" TEXT,
    "soakUntil" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "completedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Remediation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Remediation_openKey_key" ON "Remediation"("openKey");

-- CreateIndex
CREATE INDEX "Remediation_identityId_createdAt_idx" ON "Remediation"("identityId", "createdAt");

-- CreateIndex
CREATE INDEX "Remediation_orgId_status_createdAt_idx" ON "Remediation"("orgId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Remediation_grantId_idx" ON "Remediation"("grantId");

-- CreateIndex
CREATE INDEX "Remediation_credentialId_idx" ON "Remediation"("credentialId");

-- AddForeignKey
ALTER TABLE "Remediation" ADD CONSTRAINT "Remediation_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Remediation" ADD CONSTRAINT "Remediation_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

