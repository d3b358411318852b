-- An identity's (or any target's) audit history, newest first by seq, as one index range: with (orgId, targetId) alone
-- PostgreSQL may walk the organization's log backwards by seq until it has found 20 of the target's events (the query-
-- plan guard found that plan for the identity page); an old or quiet target then costs the whole log.
-- DropIndex
DROP INDEX "AuditEvent_orgId_targetId_idx";

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_targetId_seq_idx" ON "AuditEvent"("orgId", "targetId", "seq");

