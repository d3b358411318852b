-- CreateTable
CREATE TABLE "FindingCount" (
    "orgId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "owaspCode" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "FindingCount_pkey" PRIMARY KEY ("orgId","status","owaspCode","severity","rule")
);


-- Backfill from the findings already there
INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n")
SELECT "orgId", "status", "owaspCode", "severity", "rule", COUNT(*) FROM "Finding" GROUP BY "orgId", "status", "owaspCode", "severity", "rule";

-- Triggers that keep "FindingCount" in step with "Finding": once per statement over its transition tables (a recompute
-- that writes a million findings is one GROUP BY, not a million upserts); cells in key order so two writers lock them in
-- the same order. An update counts only the rows whose counted columns changed.
CREATE FUNCTION "finding_count_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n")
  SELECT "orgId", "status", "owaspCode", "severity", "rule", COUNT(*) FROM new_rows
  GROUP BY "orgId", "status", "owaspCode", "severity", "rule" ORDER BY "orgId", "status", "owaspCode", "severity", "rule"
  ON CONFLICT ("orgId", "status", "owaspCode", "severity", "rule") DO UPDATE SET "n" = "FindingCount"."n" + EXCLUDED."n";
  RETURN NULL;
END $$;
CREATE TRIGGER "Finding_count_ai" AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "finding_count_after_insert"();

CREATE FUNCTION "finding_count_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "FindingCount" f SET "n" = f."n" - d."c"
  FROM (SELECT "orgId", "status", "owaspCode", "severity", "rule", COUNT(*) AS "c" FROM old_rows GROUP BY "orgId", "status", "owaspCode", "severity", "rule") d
  WHERE f."orgId" = d."orgId" AND f."status" = d."status" AND f."owaspCode" = d."owaspCode" AND f."severity" = d."severity" AND f."rule" = d."rule";
  RETURN NULL;
END $$;
CREATE TRIGGER "Finding_count_ad" AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "finding_count_after_delete"();

CREATE FUNCTION "finding_count_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH changed AS (
    SELECT o."orgId" AS "oOrg", o."status" AS "oStatus", o."owaspCode" AS "oCode", o."severity" AS "oSev", o."rule" AS "oRule",
           n."orgId" AS "nOrg", n."status" AS "nStatus", n."owaspCode" AS "nCode", n."severity" AS "nSev", n."rule" AS "nRule"
    FROM old_rows o JOIN new_rows n ON n."id" = o."id"
    WHERE (o."orgId", o."status", o."owaspCode", o."severity", o."rule") IS DISTINCT FROM (n."orgId", n."status", n."owaspCode", n."severity", n."rule")
  ), d AS (
    SELECT "orgId", "status", "owaspCode", "severity", "rule", SUM("c") AS "c" FROM (
      SELECT "oOrg" AS "orgId", "oStatus" AS "status", "oCode" AS "owaspCode", "oSev" AS "severity", "oRule" AS "rule", -1 AS "c" FROM changed
      UNION ALL
      SELECT "nOrg", "nStatus", "nCode", "nSev", "nRule", 1 FROM changed
    ) x GROUP BY "orgId", "status", "owaspCode", "severity", "rule" HAVING SUM("c") <> 0
  )
  INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n")
  SELECT "orgId", "status", "owaspCode", "severity", "rule", "c" FROM d ORDER BY "orgId", "status", "owaspCode", "severity", "rule"
  ON CONFLICT ("orgId", "status", "owaspCode", "severity", "rule") DO UPDATE SET "n" = "FindingCount"."n" + EXCLUDED."n";
  RETURN NULL;
END $$;
CREATE TRIGGER "Finding_count_au" AFTER UPDATE ON "Finding" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "finding_count_after_update"();
