-- CreateIndex
CREATE INDEX "Credential_fingerprint_idx" ON "Credential"("fingerprint");

