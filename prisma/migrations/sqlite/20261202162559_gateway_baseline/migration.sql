-- CreateTable
CREATE TABLE "GatewayBaseline" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "firstSeenAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    CONSTRAINT "GatewayBaseline_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayBaseline_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "GatewayBaseline_orgId_idx" ON "GatewayBaseline"("orgId");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayBaseline_identityId_kind_key_key" ON "GatewayBaseline"("identityId", "kind", "key");

