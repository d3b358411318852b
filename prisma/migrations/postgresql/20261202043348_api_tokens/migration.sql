-- DropIndex
DROP INDEX "ApiToken_orgId_idx";

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "allowedIps" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "lastUsedIp" TEXT,
ADD COLUMN     "previousExpiresAt" TIMESTAMP(3),
ADD COLUMN     "previousHash" TEXT,
ADD COLUMN     "rotatedAt" TIMESTAMP(3),
ALTER COLUMN "expiresAt" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_prefix_key" ON "ApiToken"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_previousHash_key" ON "ApiToken"("previousHash");

-- CreateIndex
CREATE INDEX "ApiToken_orgId_createdAt_idx" ON "ApiToken"("orgId", "createdAt");

