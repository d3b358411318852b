-- CreateTable
CREATE TABLE "GatewayRoute" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayRoute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayRule" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GatewayRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayCall" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "identityId" TEXT,
    "tokenId" TEXT,
    "routeId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "bytesIn" INTEGER NOT NULL DEFAULT 0,
    "bytesOut" INTEGER NOT NULL DEFAULT 0,
    "decision" TEXT NOT NULL,
    "ruleId" TEXT,
    "reason" TEXT,
    "sourceIp" TEXT,
    "requestId" TEXT,

    CONSTRAINT "GatewayCall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayVersion" (
    "orgId" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "GatewayVersion_pkey" PRIMARY KEY ("orgId")
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

-- AddForeignKey
ALTER TABLE "GatewayRoute" ADD CONSTRAINT "GatewayRoute_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayRoute" ADD CONSTRAINT "GatewayRoute_resourceId_fkey" FOREIGN KEY ("resourceId") REFERENCES "Resource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayRule" ADD CONSTRAINT "GatewayRule_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayRule" ADD CONSTRAINT "GatewayRule_routeId_fkey" FOREIGN KEY ("routeId") REFERENCES "GatewayRoute"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayRule" ADD CONSTRAINT "GatewayRule_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayRule" ADD CONSTRAINT "GatewayRule_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayRule" ADD CONSTRAINT "GatewayRule_entitlementId_fkey" FOREIGN KEY ("entitlementId") REFERENCES "Entitlement"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayCall" ADD CONSTRAINT "GatewayCall_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayCall" ADD CONSTRAINT "GatewayCall_identityId_fkey" FOREIGN KEY ("identityId") REFERENCES "Identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GatewayCall" ADD CONSTRAINT "GatewayCall_routeId_fkey" FOREIGN KEY ("routeId") REFERENCES "GatewayRoute"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Triggers that tell every gateway process (LISTEN custodian_gateway) to drop an organization's cached decisions when
-- something it decides on changes. NOTIFY is delivered at commit, in commit order, and identical payloads within one
-- transaction are delivered once, so a bulk change is one message per organization. Row triggers with a WHEN clause:
-- a recompute that rewrites a million identities' risk columns never calls the function.
CREATE FUNCTION "gateway_notify_new"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('custodian_gateway', NEW."orgId");
  RETURN NULL;
END $$;
CREATE FUNCTION "gateway_notify_old"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('custodian_gateway', OLD."orgId");
  RETURN NULL;
END $$;
CREATE FUNCTION "gateway_notify_grant"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE g RECORD;
BEGIN
  IF TG_OP = 'DELETE' THEN g := OLD; ELSE g := NEW; END IF;
  IF EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."entitlementId" = g."entitlementId") THEN
    PERFORM pg_notify('custodian_gateway', g."orgId");
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION "gateway_notify_identity"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE i RECORD;
BEGIN
  IF TG_OP = 'DELETE' THEN i := OLD; ELSE i := NEW; END IF;
  IF EXISTS (SELECT 1 FROM "GatewayRoute" g WHERE g."orgId" = i."orgId") THEN
    PERFORM pg_notify('custodian_gateway', i."orgId");
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION "gateway_notify_tag"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t RECORD;
BEGIN
  IF TG_OP = 'DELETE' THEN t := OLD; ELSE t := NEW; END IF;
  IF EXISTS (SELECT 1 FROM "GatewayRule" r WHERE r."orgId" = t."orgId" AND r."principalType" = 'tag') THEN
    PERFORM pg_notify('custodian_gateway', t."orgId");
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "GatewayRoute_notify_aiu" AFTER INSERT OR UPDATE ON "GatewayRoute" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_new"();
CREATE TRIGGER "GatewayRoute_notify_ad" AFTER DELETE ON "GatewayRoute" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_old"();
CREATE TRIGGER "GatewayRule_notify_aiu" AFTER INSERT OR UPDATE ON "GatewayRule" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_new"();
CREATE TRIGGER "GatewayRule_notify_ad" AFTER DELETE ON "GatewayRule" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_old"();
CREATE TRIGGER "Grant_gateway_notify_au" AFTER UPDATE OF "status" ON "Grant" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "gateway_notify_grant"();
CREATE TRIGGER "Grant_gateway_notify_ad" AFTER DELETE ON "Grant" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_grant"();
CREATE TRIGGER "Identity_gateway_notify_au" AFTER UPDATE OF "status", "teamId" ON "Identity" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."teamId" IS DISTINCT FROM NEW."teamId") EXECUTE FUNCTION "gateway_notify_identity"();
CREATE TRIGGER "Identity_gateway_notify_ad" AFTER DELETE ON "Identity" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_identity"();
CREATE TRIGGER "IdentityTag_gateway_notify" AFTER INSERT OR UPDATE OR DELETE ON "IdentityTag" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_tag"();
CREATE TRIGGER "ApiToken_gateway_notify_au" AFTER UPDATE OF "revokedAt", "expiresAt", "hash", "previousHash", "previousExpiresAt", "scopes", "allowedIps", "identityId" ON "ApiToken" FOR EACH ROW
  EXECUTE FUNCTION "gateway_notify_new"();
CREATE TRIGGER "ApiToken_gateway_notify_ad" AFTER DELETE ON "ApiToken" FOR EACH ROW EXECUTE FUNCTION "gateway_notify_old"();
