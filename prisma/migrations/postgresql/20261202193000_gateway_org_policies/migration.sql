-- Organization policies (Cedar) are enforced at every gateway call (lib/gateway/runtime/server.ts): a gateway process
-- keeps them compiled with the organization's other gateway state, so what they read must reach every process like any
-- other change (NOTIFY custodian_gateway at commit): a saved policy, an identity attribute policies read (only for
-- organizations that have policies), an open or closed "unusual gateway use" finding (context.unusual), and the
-- environment of a route's Resource (the Target's environment).
CREATE FUNCTION "gateway_notify_policy_identity"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") AND EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = NEW."orgId") THEN
    PERFORM pg_notify('custodian_gateway', NEW."orgId");
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION "gateway_notify_unusual"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE f RECORD;
BEGIN
  IF TG_OP = 'DELETE' THEN f := OLD; ELSE f := NEW; END IF;
  IF EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = f."orgId") THEN
    PERFORM pg_notify('custodian_gateway', f."orgId");
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION "gateway_notify_route_resource"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."resourceId" = NEW."id") THEN
    PERFORM pg_notify('custodian_gateway', NEW."orgId");
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "OrgPolicy_notify_aiu" AFTER INSERT OR UPDATE ON "OrgPolicy" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_new"();
CREATE TRIGGER "OrgPolicy_notify_ad" AFTER DELETE ON "OrgPolicy" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_old"();
CREATE TRIGGER "Identity_policy_notify_au" AFTER UPDATE OF "kind", "environment", "ownerId", "privileged", "name" ON "Identity" FOR EACH ROW
  WHEN (OLD."kind" IS DISTINCT FROM NEW."kind" OR OLD."environment" IS DISTINCT FROM NEW."environment" OR OLD."ownerId" IS DISTINCT FROM NEW."ownerId"
        OR OLD."privileged" IS DISTINCT FROM NEW."privileged" OR OLD."name" IS DISTINCT FROM NEW."name")
  EXECUTE FUNCTION "gateway_notify_policy_identity"();
CREATE TRIGGER "Finding_unusual_notify_ai" AFTER INSERT ON "Finding" FOR EACH ROW
  WHEN (NEW."rule" = 'gateway-unusual-use') EXECUTE FUNCTION "gateway_notify_unusual"();
CREATE TRIGGER "Finding_unusual_notify_au" AFTER UPDATE OF "status" ON "Finding" FOR EACH ROW
  WHEN (NEW."rule" = 'gateway-unusual-use' AND OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "gateway_notify_unusual"();
CREATE TRIGGER "Finding_unusual_notify_ad" AFTER DELETE ON "Finding" FOR EACH ROW
  WHEN (OLD."rule" = 'gateway-unusual-use') EXECUTE FUNCTION "gateway_notify_unusual"();
CREATE TRIGGER "Resource_route_notify_au" AFTER UPDATE OF "environment" ON "Resource" FOR EACH ROW
  WHEN (OLD."environment" IS DISTINCT FROM NEW."environment") EXECUTE FUNCTION "gateway_notify_route_resource"();
