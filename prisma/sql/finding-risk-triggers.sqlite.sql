-- Triggers that keep "Finding"."identityRisk" equal to its identity's "riskScore" (SQLite), for the Findings page's
-- order, and "FindingCount" in step with the findings. Appended to any migration that redefines "Identity" or "Finding".

DROP TRIGGER IF EXISTS "Identity_risk_au";
CREATE TRIGGER "Identity_risk_au" AFTER UPDATE OF "riskScore" ON "Identity"
WHEN old."riskScore" IS NOT new."riskScore" BEGIN
  UPDATE "Finding" SET "identityRisk" = new."riskScore" WHERE "identityId" = new."id";
END;

DROP TRIGGER IF EXISTS "Finding_risk_ai";
CREATE TRIGGER "Finding_risk_ai" AFTER INSERT ON "Finding"
WHEN new."identityRisk" IS NOT (SELECT "riskScore" FROM "Identity" WHERE "id" = new."identityId") BEGIN
  UPDATE "Finding" SET "identityRisk" = (SELECT "riskScore" FROM "Identity" WHERE "id" = new."identityId") WHERE "id" = new."id";
END;

-- And the counts of "FindingCount" (open/accepted/resolved findings per OWASP code, severity and rule of an
-- organization), kept as findings are written so the Findings page never counts them.
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
