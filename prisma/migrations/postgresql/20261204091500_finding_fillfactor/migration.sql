-- Half of each Finding page is left free, so the findings recompute's update of a finding that still holds (its
-- lastSeenAt, every night, for every open finding: 3.2 M rows at 1,000,000 identities) is a heap-only (HOT) update,
-- written beside the old row version without a new entry in any of Finding's six indexes. With full pages 98 % of
-- those updates went to another page and added an entry to every index. Measured at 1,000,000 identities
-- (bench/results/2026-12-04-session16-postgresql.md): 1.6 % → 99–100 % HOT. The heap grows (~1.0 → ~1.9 GB there);
-- the indexes stop taking a new entry per finding per night. Applies to pages written from now on: the first
-- recompute after this migration moves each finding once, and the next ones update in place.
ALTER TABLE "Finding" SET (fillfactor = 50);
