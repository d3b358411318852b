-- Triggers that keep "Finding"."identityRisk" equal to its identity's "riskScore" (SQLite), for the Findings page's
-- order, and "FindingCount" in step with the findings; and the gateway's change signals on both tables (at the end).
-- Appended to any migration that redefines "Identity" or "Finding".

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

-- Gateway change signals on "Identity" and "Finding" (lib/gateway/runtime/changes.ts: a gateway process drops an
-- organization's cached decisions when its GatewayVersion moves): a redefined table loses them, so they are put back
-- here too (first written in the 20261202112058_gateway and 20261202193000_gateway_org_policies migrations).

DROP TRIGGER IF EXISTS "Identity_gateway_version_au";
CREATE TRIGGER "Identity_gateway_version_au" AFTER UPDATE OF "status", "teamId" ON "Identity"
WHEN (OLD."status" IS NOT NEW."status" OR OLD."teamId" IS NOT NEW."teamId") AND EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;

DROP TRIGGER IF EXISTS "Identity_gateway_version_ad";
CREATE TRIGGER "Identity_gateway_version_ad" AFTER DELETE ON "Identity"
WHEN EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = OLD."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;

DROP TRIGGER IF EXISTS "Identity_policy_version_au";
CREATE TRIGGER "Identity_policy_version_au" AFTER UPDATE OF "kind", "environment", "ownerId", "privileged", "name" ON "Identity"
WHEN (OLD."kind" IS NOT NEW."kind" OR OLD."environment" IS NOT NEW."environment" OR OLD."ownerId" IS NOT NEW."ownerId"
      OR OLD."privileged" IS NOT NEW."privileged" OR OLD."name" IS NOT NEW."name")
  AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") AND EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;

DROP TRIGGER IF EXISTS "Finding_unusual_version_ai";
CREATE TRIGGER "Finding_unusual_version_ai" AFTER INSERT ON "Finding"
WHEN NEW."rule" = 'gateway-unusual-use' AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;

DROP TRIGGER IF EXISTS "Finding_unusual_version_au";
CREATE TRIGGER "Finding_unusual_version_au" AFTER UPDATE OF "status" ON "Finding"
WHEN NEW."rule" = 'gateway-unusual-use' AND OLD."status" IS NOT NEW."status" AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;

DROP TRIGGER IF EXISTS "Finding_unusual_version_ad";
CREATE TRIGGER "Finding_unusual_version_ad" AFTER DELETE ON "Finding"
WHEN OLD."rule" = 'gateway-unusual-use' AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = OLD."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
