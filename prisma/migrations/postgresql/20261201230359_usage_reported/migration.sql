-- AlterTable
ALTER TABLE "Identity" ADD COLUMN     "usageReported" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "usageReported" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "Grant" ADD COLUMN     "usageReported" BOOLEAN NOT NULL DEFAULT true;

