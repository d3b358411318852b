-- AlterTable
ALTER TABLE "ReportExport" ADD COLUMN "detail" TEXT;

