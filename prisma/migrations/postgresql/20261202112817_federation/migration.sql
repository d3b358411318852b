-- CreateTable
CREATE TABLE "TrustProvider" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "audiences" TEXT NOT NULL DEFAULT '[]',
    "jwksUri" TEXT,
    "preset" TEXT NOT NULL DEFAULT 'generic',
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TrustProvider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrustProviderAudience" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "audience" TEXT NOT NULL,

    CONSTRAINT "TrustProviderAudience_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrustRule" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "condition" TEXT NOT NULL,
    "scopes" TEXT NOT NULL DEFAULT '[]',
    "audiences" TEXT NOT NULL DEFAULT '[]',
    "maxTtlSeconds" INTEGER NOT NULL DEFAULT 900,
    "status" TEXT NOT NULL DEFAULT 'active',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TrustRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TokenExchange" (
    "id" TEXT NOT NULL,
    "orgId" TEXT,
    "providerId" TEXT,
    "ruleId" TEXT,
    "identityId" TEXT,
    "issuer" TEXT NOT NULL,
    "subject" TEXT,
    "replayKey" TEXT NOT NULL,
    "spentKey" TEXT,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "jti" TEXT,
    "scope" TEXT,
    "audience" TEXT,
    "task" TEXT,
    "expiresAt" TIMESTAMP(3),
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TokenExchange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TrustProvider_orgId_createdAt_idx" ON "TrustProvider"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "TrustProvider_issuer_idx" ON "TrustProvider"("issuer");

-- CreateIndex
CREATE UNIQUE INDEX "TrustProvider_orgId_name_key" ON "TrustProvider"("orgId", "name");

-- CreateIndex
CREATE INDEX "TrustProviderAudience_providerId_idx" ON "TrustProviderAudience"("providerId");

-- CreateIndex
CREATE UNIQUE INDEX "TrustProviderAudience_issuer_audience_key" ON "TrustProviderAudience"("issuer", "audience");

-- CreateIndex
CREATE INDEX "TrustRule_orgId_providerId_idx" ON "TrustRule"("orgId", "providerId");

-- CreateIndex
CREATE INDEX "TrustRule_identityId_idx" ON "TrustRule"("identityId");

-- CreateIndex
CREATE UNIQUE INDEX "TrustRule_providerId_name_key" ON "TrustRule"("providerId", "name");

-- CreateIndex
CREATE INDEX "TokenExchange_orgId_at_idx" ON "TokenExchange"("orgId", "at");

-- CreateIndex
CREATE INDEX "TokenExchange_issuer_replayKey_idx" ON "TokenExchange"("issuer", "replayKey");

-- CreateIndex
CREATE INDEX "TokenExchange_identityId_at_idx" ON "TokenExchange"("identityId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "TokenExchange_issuer_spentKey_key" ON "TokenExchange"("issuer", "spentKey");

-- AddForeignKey
ALTER TABLE "TrustProvider" ADD CONSTRAINT "TrustProvider_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrustProviderAudience" ADD CONSTRAINT "TrustProviderAudience_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "TrustProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrustRule" ADD CONSTRAINT "TrustRule_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrustRule" ADD CONSTRAINT "TrustRule_providerId_fkey" FOREIGN KEY ("providerId") REFERENCES "TrustProvider"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrustRule" ADD CONSTRAINT "TrustRule_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TokenExchange" ADD CONSTRAINT "TokenExchange_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

