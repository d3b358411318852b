-- The audit log filtered by actor (a part of an e-mail or a token's name): the labels that contain it, newest first by
-- seq, as one index range each, where the filter walked the whole log (5.5 s at 6,300,000 events). New events land at
-- the end of their actor's range (seq only grows).
-- CreateIndex
CREATE INDEX "AuditEvent_orgId_actorLabel_seq_idx" ON "AuditEvent"("orgId", "actorLabel", "seq");

