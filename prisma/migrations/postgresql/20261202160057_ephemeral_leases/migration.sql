-- CreateTable
CREATE TABLE "CredentialTemplate" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "grants" TEXT NOT NULL DEFAULT '[]',
    "defaultTtlSeconds" INTEGER NOT NULL DEFAULT 900,
    "maxTtlSeconds" INTEGER NOT NULL DEFAULT 3600,
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CredentialTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lease" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "roleName" TEXT NOT NULL,
    "requestedByType" TEXT NOT NULL,
    "requestedById" TEXT,
    "requestedByLabel" TEXT NOT NULL,
    "task" TEXT,
    "justification" TEXT,
    "issuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "maxExpiresAt" TIMESTAMP(3) NOT NULL,
    "renewedAt" TIMESTAMP(3),
    "renewals" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'active',
    "endReason" TEXT,
    "revokeRequestedAt" TIMESTAMP(3),
    "revokedByLabel" TEXT,
    "endedAt" TIMESTAMP(3),
    "endAttempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "endGeneration" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CredentialTemplate_sourceId_idx" ON "CredentialTemplate"("sourceId");

-- CreateIndex
CREATE UNIQUE INDEX "CredentialTemplate_orgId_name_key" ON "CredentialTemplate"("orgId", "name");

-- CreateIndex
CREATE INDEX "Lease_orgId_status_expiresAt_idx" ON "Lease"("orgId", "status", "expiresAt");

-- CreateIndex
CREATE INDEX "Lease_status_expiresAt_idx" ON "Lease"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "Lease_identityId_issuedAt_idx" ON "Lease"("identityId", "issuedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_templateId_roleName_key" ON "Lease"("templateId", "roleName");

-- AddForeignKey
ALTER TABLE "CredentialTemplate" ADD CONSTRAINT "CredentialTemplate_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CredentialTemplate" ADD CONSTRAINT "CredentialTemplate_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "CredentialTemplate"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

