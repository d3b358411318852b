-- Triggers that keep "Finding"."identityRisk" equal to its identity's "riskScore" (PostgreSQL), for the Findings
-- page's order. A risk update touches only the findings of identities whose score changed.

CREATE OR REPLACE FUNCTION "finding_risk_from_identity"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Finding" SET "identityRisk" = NEW."riskScore" WHERE "identityId" = NEW."id" AND "identityRisk" IS DISTINCT FROM NEW."riskScore";
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS "Identity_risk_au" ON "Identity";
CREATE TRIGGER "Identity_risk_au" AFTER UPDATE OF "riskScore" ON "Identity" FOR EACH ROW
WHEN (OLD."riskScore" IS DISTINCT FROM NEW."riskScore") EXECUTE FUNCTION "finding_risk_from_identity"();

CREATE OR REPLACE FUNCTION "finding_risk_on_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."identityRisk" := COALESCE((SELECT "riskScore" FROM "Identity" WHERE "id" = NEW."identityId"), 0);
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS "Finding_risk_bi" ON "Finding";
CREATE TRIGGER "Finding_risk_bi" BEFORE INSERT ON "Finding" FOR EACH ROW EXECUTE FUNCTION "finding_risk_on_insert"();
