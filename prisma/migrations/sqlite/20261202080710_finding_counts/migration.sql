-- CreateTable
CREATE TABLE "FindingCount" (
    "orgId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "owaspCode" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    PRIMARY KEY ("orgId", "status", "owaspCode", "severity", "rule")
);


-- Backfill from the findings already there
INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n")
SELECT "orgId", "status", "owaspCode", "severity", "rule", COUNT(*) FROM "Finding" GROUP BY "orgId", "status", "owaspCode", "severity", "rule";

-- Triggers that keep "FindingCount" (open/accepted/resolved findings per OWASP code, severity and rule of an organization)
-- as findings are written, so the Findings page never counts them; also in prisma/sql/finding-risk-triggers.sqlite.sql.
DROP TRIGGER IF EXISTS "Finding_count_ai";
CREATE TRIGGER "Finding_count_ai" AFTER INSERT ON "Finding" BEGIN
  INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n")
  VALUES (new."orgId", new."status", new."owaspCode", new."severity", new."rule", 1)
  ON CONFLICT ("orgId", "status", "owaspCode", "severity", "rule") DO UPDATE SET "n" = "n" + 1;
END;

DROP TRIGGER IF EXISTS "Finding_count_ad";
CREATE TRIGGER "Finding_count_ad" AFTER DELETE ON "Finding" BEGIN
  UPDATE "FindingCount" SET "n" = "n" - 1
  WHERE "orgId" = old."orgId" AND "status" = old."status" AND "owaspCode" = old."owaspCode" AND "severity" = old."severity" AND "rule" = old."rule";
END;

DROP TRIGGER IF EXISTS "Finding_count_au";
CREATE TRIGGER "Finding_count_au" AFTER UPDATE OF "orgId", "status", "owaspCode", "severity", "rule" ON "Finding"
WHEN old."orgId" IS NOT new."orgId" OR old."status" IS NOT new."status" OR old."owaspCode" IS NOT new."owaspCode" OR old."severity" IS NOT new."severity" OR old."rule" IS NOT new."rule" BEGIN
  UPDATE "FindingCount" SET "n" = "n" - 1
  WHERE "orgId" = old."orgId" AND "status" = old."status" AND "owaspCode" = old."owaspCode" AND "severity" = old."severity" AND "rule" = old."rule";
  INSERT INTO "FindingCount" ("orgId", "status", "owaspCode", "severity", "rule", "n")
  VALUES (new."orgId", new."status", new."owaspCode", new."severity", new."rule", 1)
  ON CONFLICT ("orgId", "status", "owaspCode", "severity", "rule") DO UPDATE SET "n" = "n" + 1;
END;
