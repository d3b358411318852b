-- The audit log lists newest first by seq; filtered by action or by outcome (refused attempts, failures), an index led by
-- (orgId, action) or (orgId, outcome) and ending in seq serves the filter as one range in the page's order (page 1 reads
-- 50 entries) where (orgId, action, at) needed every match sorted and the outcome filter walked the whole log. New events
-- land at the end of their range (seq only grows), so the indexes cost the writers little.
-- DropIndex
DROP INDEX "AuditEvent_orgId_action_at_idx";

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_action_seq_idx" ON "AuditEvent"("orgId", "action", "seq");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_outcome_seq_idx" ON "AuditEvent"("orgId", "outcome", "seq");

