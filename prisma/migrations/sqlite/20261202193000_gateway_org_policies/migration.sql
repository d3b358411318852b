-- Organization policies (Cedar) are enforced at every gateway call (lib/gateway/runtime/server.ts): a gateway process
-- keeps them compiled with the organization's other gateway state, so what they read must reach every process like any
-- other change. Each trigger bumps the organization's GatewayVersion (polled every ~250 ms): a saved policy, an
-- identity attribute policies read (only for organizations that have policies), an open or closed "unusual gateway use"
-- finding (context.unusual), and the environment of a route's Resource (the Target's environment).
CREATE TRIGGER "OrgPolicy_gateway_version_ai" AFTER INSERT ON "OrgPolicy" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "OrgPolicy_gateway_version_au" AFTER UPDATE ON "OrgPolicy" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "OrgPolicy_gateway_version_ad" AFTER DELETE ON "OrgPolicy" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Identity_policy_version_au" AFTER UPDATE OF "kind", "environment", "ownerId", "privileged", "name" ON "Identity"
WHEN (OLD."kind" IS NOT NEW."kind" OR OLD."environment" IS NOT NEW."environment" OR OLD."ownerId" IS NOT NEW."ownerId"
      OR OLD."privileged" IS NOT NEW."privileged" OR OLD."name" IS NOT NEW."name")
  AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") AND EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Finding_unusual_version_ai" AFTER INSERT ON "Finding"
WHEN NEW."rule" = 'gateway-unusual-use' AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Finding_unusual_version_au" AFTER UPDATE OF "status" ON "Finding"
WHEN NEW."rule" = 'gateway-unusual-use' AND OLD."status" IS NOT NEW."status" AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Finding_unusual_version_ad" AFTER DELETE ON "Finding"
WHEN OLD."rule" = 'gateway-unusual-use' AND EXISTS (SELECT 1 FROM "OrgPolicy" p WHERE p."orgId" = OLD."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Resource_route_version_au" AFTER UPDATE OF "environment" ON "Resource"
WHEN OLD."environment" IS NOT NEW."environment" AND EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."resourceId" = NEW."id") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
