-- AlterTable
ALTER TABLE "CredentialTemplate" ADD COLUMN     "identityId" TEXT,
ADD COLUMN     "principalType" TEXT,
ADD COLUMN     "tagKey" TEXT,
ADD COLUMN     "tagValue" TEXT,
ADD COLUMN     "teamId" TEXT;

-- CreateIndex
CREATE INDEX "CredentialTemplate_identityId_idx" ON "CredentialTemplate"("identityId");

-- CreateIndex
CREATE INDEX "CredentialTemplate_teamId_idx" ON "CredentialTemplate"("teamId");

-- AddForeignKey
ALTER TABLE "CredentialTemplate" ADD CONSTRAINT "CredentialTemplate_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CredentialTemplate" ADD CONSTRAINT "CredentialTemplate_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

