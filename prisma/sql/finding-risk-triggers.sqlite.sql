-- Triggers that keep "Finding"."identityRisk" equal to its identity's "riskScore" (SQLite), for the Findings page's
-- order. Appended to any migration that redefines "Identity" or "Finding".

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
