-- Written by hand: Prisma's schema cannot state a partial index.
-- The unowned identities (most non-human identities have no known owner): the inventory's "no owner" filters count and
-- page through them by this index alone, where the owner index left "privileged" to a row lookup per unowned identity.
-- Only unowned rows are in it: an owner assigned takes one entry out.
CREATE INDEX IF NOT EXISTS "Identity_unowned_idx" ON "Identity" ("orgId", "privileged", "status", "id") WHERE "ownerId" IS NULL;
