-- Two indexes no page or job plans on at 1,000,000 identities (every page of bench/pages.ts, query plans logged on
-- SQLite; index scans counted on PostgreSQL at 100,000), each written on every identity or credential insert at a
-- random position (name, fingerprint):
-- - an owner filter sorted by name reads the owner's entries of (orgId, ownerId, riskScore, name, id, status) and sorts
--   them (busiest owner, 35,640 identities: page 1 0.1 -> 5.3 ms, page 200 34.6 -> 17.6 ms);
-- - the shared-secret rules join credentials on (orgId, fingerprint) through the (fingerprint) index.
-- DropIndex
DROP INDEX "Identity_orgId_ownerId_name_idx";

-- DropIndex
DROP INDEX "Credential_orgId_fingerprint_idx";

