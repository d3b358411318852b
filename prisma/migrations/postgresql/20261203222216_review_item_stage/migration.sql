-- CreateTable
CREATE TABLE "ReviewItemStage" (
    "campaignId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT NOT NULL,
    "grantId" TEXT,
    "credentialId" TEXT,
    "reviewerId" TEXT,
    "snapshot" TEXT NOT NULL,
    "recommendation" TEXT,
    "recommendationReason" TEXT,
    "privileged" BOOLEAN NOT NULL DEFAULT false,
    "identityName" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewItemStage_pkey" PRIMARY KEY ("campaignId","id")
);

-- AddForeignKey
ALTER TABLE "ReviewItemStage" ADD CONSTRAINT "ReviewItemStage_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

