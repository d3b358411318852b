-- Triggers that keep "IdentitySearch", the "IdentitySearchFts" full-text index and "IdentityFacet" in step with
-- "Identity" and "IdentityTag" (SQLite). Appended to any migration that redefines either table.

CREATE TRIGGER "IdentitySearch_ai" AFTER INSERT ON "IdentitySearch" BEGIN
  INSERT INTO "IdentitySearchFts" ("rowid", "identityId", "body") VALUES (new."rowId", new."identityId", new."body");
END;
CREATE TRIGGER "IdentitySearch_ad" AFTER DELETE ON "IdentitySearch" BEGIN
  INSERT INTO "IdentitySearchFts" ("IdentitySearchFts", "rowid", "identityId", "body") VALUES ('delete', old."rowId", old."identityId", old."body");
END;
CREATE TRIGGER "IdentitySearch_au" AFTER UPDATE ON "IdentitySearch" BEGIN
  INSERT INTO "IdentitySearchFts" ("IdentitySearchFts", "rowid", "identityId", "body") VALUES ('delete', old."rowId", old."identityId", old."body");
  INSERT INTO "IdentitySearchFts" ("rowid", "identityId", "body") VALUES (new."rowId", new."identityId", new."body");
END;

CREATE TRIGGER "Identity_search_ai" AFTER INSERT ON "Identity" BEGIN
  INSERT INTO "IdentitySearch" ("identityId", "body") VALUES (new."id", new."name" || char(10) || new."externalId");
  INSERT INTO "IdentityFacet" ("orgId", "kind", "environment", "status", "sourceId", "n")
  VALUES (new."orgId", new."kind", new."environment", new."status", new."sourceId", 1)
  ON CONFLICT ("orgId", "kind", "environment", "status", "sourceId") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "Identity_search_ad" AFTER DELETE ON "Identity" BEGIN
  DELETE FROM "IdentitySearch" WHERE "identityId" = old."id";
  UPDATE "IdentityFacet" SET "n" = "n" - 1
  WHERE "orgId" = old."orgId" AND "kind" = old."kind" AND "environment" = old."environment" AND "status" = old."status" AND "sourceId" = old."sourceId";
END;

CREATE TRIGGER "Identity_search_au_text" AFTER UPDATE OF "name", "externalId" ON "Identity"
WHEN old."name" IS NOT new."name" OR old."externalId" IS NOT new."externalId" BEGIN
  UPDATE "IdentitySearch" SET "body" = new."name" || char(10) || new."externalId" || COALESCE((SELECT char(10) || group_concat(t."key" || '=' || t."value", char(10)) FROM (SELECT "key", "value" FROM "IdentityTag" WHERE "identityId" = new."id" ORDER BY "key") t), '')
  WHERE "identityId" = new."id";
END;

CREATE TRIGGER "Identity_search_au_facet" AFTER UPDATE OF "orgId", "kind", "environment", "status", "sourceId" ON "Identity"
WHEN old."orgId" IS NOT new."orgId" OR old."kind" IS NOT new."kind" OR old."environment" IS NOT new."environment" OR old."status" IS NOT new."status" OR old."sourceId" IS NOT new."sourceId" BEGIN
  UPDATE "IdentityFacet" SET "n" = "n" - 1
  WHERE "orgId" = old."orgId" AND "kind" = old."kind" AND "environment" = old."environment" AND "status" = old."status" AND "sourceId" = old."sourceId";
  INSERT INTO "IdentityFacet" ("orgId", "kind", "environment", "status", "sourceId", "n")
  VALUES (new."orgId", new."kind", new."environment", new."status", new."sourceId", 1)
  ON CONFLICT ("orgId", "kind", "environment", "status", "sourceId") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "IdentityTag_search_ai" AFTER INSERT ON "IdentityTag" BEGIN
  UPDATE "IdentitySearch" SET "body" = (SELECT i."name" || char(10) || i."externalId" FROM "Identity" i WHERE i."id" = new."identityId") || COALESCE((SELECT char(10) || group_concat(t."key" || '=' || t."value", char(10)) FROM (SELECT "key", "value" FROM "IdentityTag" WHERE "identityId" = new."identityId" ORDER BY "key") t), '')
  WHERE "identityId" = new."identityId" AND EXISTS (SELECT 1 FROM "Identity" WHERE "id" = new."identityId");
END;
CREATE TRIGGER "IdentityTag_search_au" AFTER UPDATE ON "IdentityTag" BEGIN
  UPDATE "IdentitySearch" SET "body" = (SELECT i."name" || char(10) || i."externalId" FROM "Identity" i WHERE i."id" = new."identityId") || COALESCE((SELECT char(10) || group_concat(t."key" || '=' || t."value", char(10)) FROM (SELECT "key", "value" FROM "IdentityTag" WHERE "identityId" = new."identityId" ORDER BY "key") t), '')
  WHERE "identityId" = new."identityId" AND EXISTS (SELECT 1 FROM "Identity" WHERE "id" = new."identityId");
  UPDATE "IdentitySearch" SET "body" = (SELECT i."name" || char(10) || i."externalId" FROM "Identity" i WHERE i."id" = old."identityId") || COALESCE((SELECT char(10) || group_concat(t."key" || '=' || t."value", char(10)) FROM (SELECT "key", "value" FROM "IdentityTag" WHERE "identityId" = old."identityId" ORDER BY "key") t), '')
  WHERE "identityId" = old."identityId" AND old."identityId" IS NOT new."identityId" AND EXISTS (SELECT 1 FROM "Identity" WHERE "id" = old."identityId");
END;
CREATE TRIGGER "IdentityTag_search_ad" AFTER DELETE ON "IdentityTag" BEGIN
  UPDATE "IdentitySearch" SET "body" = (SELECT i."name" || char(10) || i."externalId" FROM "Identity" i WHERE i."id" = old."identityId") || COALESCE((SELECT char(10) || group_concat(t."key" || '=' || t."value", char(10)) FROM (SELECT "key", "value" FROM "IdentityTag" WHERE "identityId" = old."identityId" ORDER BY "key") t), '')
  WHERE "identityId" = old."identityId" AND EXISTS (SELECT 1 FROM "Identity" WHERE "id" = old."identityId");
END;
