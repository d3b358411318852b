-- CreateTable
CREATE TABLE "GatewayBaseline" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayBaseline_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "GatewayBaseline_orgId_idx" ON "GatewayBaseline"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayBaseline_identityId_kind_key_key" ON "GatewayBaseline"("identityId", "kind", "key");

-- AddForeignKey
ALTER TABLE "GatewayBaseline" ADD CONSTRAINT "GatewayBaseline_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayBaseline" ADD CONSTRAINT "GatewayBaseline_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

