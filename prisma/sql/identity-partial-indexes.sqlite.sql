-- Indexes on "Identity" that Prisma's schema cannot state (partial indexes), SQLite. Appended to any migration that
-- redefines the table (a redefinition recreates only the indexes the schema states).

-- The unowned identities (most non-human identities have no known owner): the inventory's "no owner" filters count and
-- page through them by this index alone, where the owner index left "privileged" to a row lookup per unowned identity
-- (0.3-0.5 s for the count at 1,000,000). Only unowned rows are in it: an owner assigned takes one entry out.
CREATE INDEX IF NOT EXISTS "Identity_unowned_idx" ON "Identity" ("orgId", "privileged", "status", "id") WHERE "ownerId" IS NULL;
