-- CreateTable
CREATE TABLE "ReportExport" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "params" TEXT NOT NULL DEFAULT '{}',
    "requestedById" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "rows" INTEGER NOT NULL DEFAULT 0,
    "expectedRows" INTEGER,
    "bytes" INTEGER,
    "sha256" TEXT,
    "path" TEXT,
    "filename" TEXT NOT NULL,
    "error" TEXT,
    "jobId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReportExport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ReportExport_orgId_requestedById_createdAt_idx" ON "ReportExport"("orgId", "requestedById", "createdAt");

-- CreateIndex
CREATE INDEX "ReportExport_expiresAt_idx" ON "ReportExport"("expiresAt");

-- AddForeignKey
ALTER TABLE "ReportExport" ADD CONSTRAINT "ReportExport_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

