-- DropIndex
DROP INDEX "GatewayCall_identityId_at_idx";

-- DropIndex
DROP INDEX "GatewayCall_routeId_at_idx";

-- CreateIndex
CREATE INDEX "GatewayCall_identityId_at_id_idx" ON "GatewayCall"("identityId", "at", "id");

-- CreateIndex
CREATE INDEX "GatewayCall_routeId_at_id_idx" ON "GatewayCall"("routeId", "at", "id");

