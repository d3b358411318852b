-- CreateTable
CREATE TABLE "GatewayRoute" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "pathPrefix" TEXT NOT NULL,
    "upstreamUrl" TEXT NOT NULL,
    "authKind" TEXT NOT NULL DEFAULT 'none',
    "authHeader" TEXT,
    "authPrefix" TEXT,
    "secretRef" TEXT,
    "oauthTokenUrl" TEXT,
    "oauthClientId" TEXT,
    "oauthScope" TEXT,
    "connectTimeoutMs" INTEGER NOT NULL DEFAULT 5000,
    "timeoutMs" INTEGER NOT NULL DEFAULT 30000,
    "maxBodyBytes" INTEGER NOT NULL DEFAULT 10485760,
    "ratePerSecond" INTEGER NOT NULL DEFAULT 50,
    "burst" INTEGER NOT NULL DEFAULT 100,
    "status" TEXT NOT NULL DEFAULT 'active',
    "resourceId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "GatewayRoute_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayRoute_resourceId_fkey" FOREIGN KEY ("resourceId") REFERENCES "Resource" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GatewayRule" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "routeId" TEXT NOT NULL,
    "principalType" TEXT NOT NULL,
    "identityId" TEXT,
    "teamId" TEXT,
    "tagKey" TEXT,
    "tagValue" TEXT,
    "methods" TEXT NOT NULL,
    "paths" TEXT NOT NULL,
    "entitlementId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "GatewayRule_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayRule_routeId_fkey" FOREIGN KEY ("routeId") REFERENCES "GatewayRoute" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayRule_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayRule_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayRule_entitlementId_fkey" FOREIGN KEY ("entitlementId") REFERENCES "Entitlement" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GatewayCall" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT,
    "tokenId" TEXT,
    "routeId" TEXT,
    "at" DATETIME NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "latencyMs" REAL NOT NULL,
    "bytesIn" INTEGER NOT NULL DEFAULT 0,
    "bytesOut" INTEGER NOT NULL DEFAULT 0,
    "decision" TEXT NOT NULL,
    "ruleId" TEXT,
    "reason" TEXT,
    "sourceIp" TEXT,
    "requestId" TEXT,
    CONSTRAINT "GatewayCall_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayCall_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "GatewayCall_routeId_fkey" FOREIGN KEY ("routeId") REFERENCES "GatewayRoute" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GatewayVersion" (
    "orgId" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE UNIQUE INDEX "GatewayRoute_resourceId_key" ON "GatewayRoute"("resourceId");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayRoute_orgId_pathPrefix_key" ON "GatewayRoute"("orgId", "pathPrefix");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayRoute_orgId_name_key" ON "GatewayRoute"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "GatewayRule_entitlementId_key" ON "GatewayRule"("entitlementId");

-- CreateIndex
CREATE INDEX "GatewayRule_orgId_routeId_idx" ON "GatewayRule"("orgId", "routeId");

-- CreateIndex
CREATE INDEX "GatewayRule_identityId_idx" ON "GatewayRule"("identityId");

-- CreateIndex
CREATE INDEX "GatewayRule_teamId_idx" ON "GatewayRule"("teamId");

-- CreateIndex
CREATE INDEX "GatewayCall_identityId_at_idx" ON "GatewayCall"("identityId", "at");

-- CreateIndex
CREATE INDEX "GatewayCall_routeId_at_idx" ON "GatewayCall"("routeId", "at");

-- CreateIndex
CREATE INDEX "GatewayCall_orgId_at_idx" ON "GatewayCall"("orgId", "at");


-- Triggers that bump "GatewayVersion" in the writing transaction whenever something the gateway decides on changes, so
-- every gateway process (polling it) drops that organization's cached decisions within a second. Organizations without
-- a gateway route pay one index probe.
CREATE TRIGGER "GatewayRoute_version_ai" AFTER INSERT ON "GatewayRoute" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "GatewayRoute_version_au" AFTER UPDATE ON "GatewayRoute" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "GatewayRoute_version_ad" AFTER DELETE ON "GatewayRoute" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "GatewayRule_version_ai" AFTER INSERT ON "GatewayRule" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "GatewayRule_version_au" AFTER UPDATE ON "GatewayRule" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "GatewayRule_version_ad" AFTER DELETE ON "GatewayRule" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Grant_gateway_version_au" AFTER UPDATE OF "status" ON "Grant"
WHEN OLD."status" IS NOT NEW."status" AND EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."entitlementId" = NEW."entitlementId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Grant_gateway_version_ad" AFTER DELETE ON "Grant"
WHEN EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."entitlementId" = OLD."entitlementId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Identity_gateway_version_au" AFTER UPDATE OF "status", "teamId" ON "Identity"
WHEN (OLD."status" IS NOT NEW."status" OR OLD."teamId" IS NOT NEW."teamId") AND EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = NEW."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "Identity_gateway_version_ad" AFTER DELETE ON "Identity"
WHEN EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = OLD."orgId") BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "IdentityTag_gateway_version_ai" AFTER INSERT ON "IdentityTag"
WHEN EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."orgId" = NEW."orgId" AND r."principalType" = 'tag') BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "IdentityTag_gateway_version_au" AFTER UPDATE ON "IdentityTag"
WHEN EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."orgId" = NEW."orgId" AND r."principalType" = 'tag') BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "IdentityTag_gateway_version_ad" AFTER DELETE ON "IdentityTag"
WHEN EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."orgId" = OLD."orgId" AND r."principalType" = 'tag') BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "ApiToken_gateway_version_au" AFTER UPDATE OF "revokedAt", "expiresAt", "hash", "previousHash", "previousExpiresAt", "scopes", "allowedIps", "identityId" ON "ApiToken" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (NEW."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
CREATE TRIGGER "ApiToken_gateway_version_ad" AFTER DELETE ON "ApiToken" BEGIN
  INSERT INTO "GatewayVersion" ("orgId", "version") VALUES (OLD."orgId", 1) ON CONFLICT ("orgId") DO UPDATE SET "version" = "version" + 1;
END;
