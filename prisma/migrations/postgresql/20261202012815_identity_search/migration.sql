-- Text search and maintained counts for the inventory at a million identities. Everything below the tables is kept
-- by triggers, the one place every writer passes through (sync, import, seed, bulk jobs, quarantine, API, raw SQL).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Identity_orgId_searchText_idx" ON "Identity"("orgId", "searchText");

-- The text of each identity (name, external id, tags as key=value, one per line), lower-cased: a `body LIKE
-- '%text%'` filter of three or more characters is answered by the trigram GIN index, not by a scan.
CREATE TABLE "IdentitySearch" (
    "identityId" TEXT NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "IdentitySearch_pkey" PRIMARY KEY ("identityId")
);
ALTER TABLE "IdentitySearch" ADD CONSTRAINT "IdentitySearch_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "IdentityFacet" (
    "orgId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "environment" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "IdentityFacet_pkey" PRIMARY KEY ("orgId","kind","environment","status","sourceId")
);

CREATE FUNCTION "identity_search_body"(p_id TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT lower(i."name" || E'\n' || i."externalId" || COALESCE(E'\n' || (SELECT string_agg(t."key" || '=' || t."value", E'\n' ORDER BY t."key") FROM "IdentityTag" t WHERE t."identityId" = i."id"), ''))
  FROM "Identity" i WHERE i."id" = p_id
$$;

-- Backfill from the rows already there, then index.
INSERT INTO "IdentitySearch" ("identityId", "body") SELECT "id", "identity_search_body"("id") FROM "Identity";
CREATE INDEX "IdentitySearch_body_trgm_idx" ON "IdentitySearch" USING gin ("body" gin_trgm_ops);
INSERT INTO "IdentityFacet" ("orgId", "kind", "environment", "status", "sourceId", "n")
SELECT "orgId", "kind", "environment", "status", "sourceId", COUNT(*) FROM "Identity" GROUP BY "orgId", "kind", "environment", "status", "sourceId";

-- Inserts and deletes: once per statement over its transition table (a million-row seed is one GROUP BY, not a
-- million upserts); cells in key order so two writers lock them in the same order.
CREATE FUNCTION "identity_search_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "IdentitySearch" ("identityId", "body") SELECT "id", lower("name" || E'\n' || "externalId") FROM new_rows;
  INSERT INTO "IdentityFacet" ("orgId", "kind", "environment", "status", "sourceId", "n")
  SELECT "orgId", "kind", "environment", "status", "sourceId", COUNT(*) FROM new_rows
  GROUP BY "orgId", "kind", "environment", "status", "sourceId" ORDER BY "orgId", "kind", "environment", "status", "sourceId"
  ON CONFLICT ("orgId", "kind", "environment", "status", "sourceId") DO UPDATE SET "n" = "IdentityFacet"."n" + EXCLUDED."n";
  RETURN NULL;
END $$;
CREATE TRIGGER "Identity_search_ai" AFTER INSERT ON "Identity" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "identity_search_after_insert"();

CREATE FUNCTION "identity_search_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "IdentityFacet" f SET "n" = f."n" - d."c"
  FROM (SELECT "orgId", "kind", "environment", "status", "sourceId", COUNT(*) AS "c" FROM old_rows GROUP BY "orgId", "kind", "environment", "status", "sourceId") d
  WHERE f."orgId" = d."orgId" AND f."kind" = d."kind" AND f."environment" = d."environment" AND f."status" = d."status" AND f."sourceId" = d."sourceId";
  RETURN NULL;
END $$;
CREATE TRIGGER "Identity_search_ad" AFTER DELETE ON "Identity" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "identity_search_after_delete"();

-- Updates: per row, and only when a counted or searched column really changed (an owner or risk update of a
-- million rows fires nothing).
CREATE FUNCTION "identity_search_after_update_text"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "IdentitySearch" SET "body" = "identity_search_body"(NEW."id") WHERE "identityId" = NEW."id";
  RETURN NULL;
END $$;
CREATE TRIGGER "Identity_search_au_text" AFTER UPDATE OF "name", "externalId" ON "Identity" FOR EACH ROW
WHEN (OLD."name" IS DISTINCT FROM NEW."name" OR OLD."externalId" IS DISTINCT FROM NEW."externalId") EXECUTE FUNCTION "identity_search_after_update_text"();

CREATE FUNCTION "identity_search_after_update_facet"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "IdentityFacet" SET "n" = "n" - 1
  WHERE "orgId" = OLD."orgId" AND "kind" = OLD."kind" AND "environment" = OLD."environment" AND "status" = OLD."status" AND "sourceId" = OLD."sourceId";
  INSERT INTO "IdentityFacet" ("orgId", "kind", "environment", "status", "sourceId", "n")
  VALUES (NEW."orgId", NEW."kind", NEW."environment", NEW."status", NEW."sourceId", 1)
  ON CONFLICT ("orgId", "kind", "environment", "status", "sourceId") DO UPDATE SET "n" = "IdentityFacet"."n" + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER "Identity_search_au_facet" AFTER UPDATE OF "orgId", "kind", "environment", "status", "sourceId" ON "Identity" FOR EACH ROW
WHEN (OLD."orgId" IS DISTINCT FROM NEW."orgId" OR OLD."kind" IS DISTINCT FROM NEW."kind" OR OLD."environment" IS DISTINCT FROM NEW."environment" OR OLD."status" IS DISTINCT FROM NEW."status" OR OLD."sourceId" IS DISTINCT FROM NEW."sourceId")
EXECUTE FUNCTION "identity_search_after_update_facet"();

-- Tags: the identities a statement touched get their text again (the COALESCE keeps the row while the identity
-- itself is being deleted; its own cascade removes it).
CREATE FUNCTION "identity_search_after_tag_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "IdentitySearch" s SET "body" = COALESCE("identity_search_body"(s."identityId"), s."body") WHERE s."identityId" IN (SELECT "identityId" FROM new_rows);
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE "IdentitySearch" s SET "body" = COALESCE("identity_search_body"(s."identityId"), s."body")
    WHERE s."identityId" IN (SELECT "identityId" FROM new_rows UNION SELECT "identityId" FROM old_rows);
  ELSE
    UPDATE "IdentitySearch" s SET "body" = COALESCE("identity_search_body"(s."identityId"), s."body") WHERE s."identityId" IN (SELECT "identityId" FROM old_rows);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "IdentityTag_search_ai" AFTER INSERT ON "IdentityTag" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "identity_search_after_tag_change"();
CREATE TRIGGER "IdentityTag_search_au" AFTER UPDATE ON "IdentityTag" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "identity_search_after_tag_change"();
CREATE TRIGGER "IdentityTag_search_ad" AFTER DELETE ON "IdentityTag" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "identity_search_after_tag_change"();
