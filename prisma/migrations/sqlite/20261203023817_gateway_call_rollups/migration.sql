-- CreateTable
CREATE TABLE "GatewayCallDay" (
    "orgId" TEXT NOT NULL,
    "day" DATETIME NOT NULL,
    "routeKey" TEXT NOT NULL,
    "identityKey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "refused" INTEGER NOT NULL,
    "lastAt" DATETIME NOT NULL,

    PRIMARY KEY ("orgId", "day", "routeKey", "identityKey", "method")
);

-- CreateTable
CREATE TABLE "GatewayCallHour" (
    "orgId" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "routeKey" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "refused" INTEGER NOT NULL,

    PRIMARY KEY ("orgId", "hour", "routeKey")
);

-- CreateIndex
CREATE INDEX "GatewayCallDay_orgId_routeKey_day_idx" ON "GatewayCallDay"("orgId", "routeKey", "day");

-- CreateIndex
CREATE INDEX "GatewayCallDay_orgId_identityKey_day_idx" ON "GatewayCallDay"("orgId", "identityKey", "day");


-- Backfill from the calls already recorded (DateTime is epoch milliseconds here: a day or an hour is an integer division).
INSERT INTO "GatewayCallDay" ("orgId", "day", "routeKey", "identityKey", "method", "calls", "refused", "lastAt")
SELECT "orgId", ("at" / 86400000) * 86400000, COALESCE("routeId", ''), COALESCE("identityId", ''), "method", COUNT(*),
       SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END), MAX("at")
FROM "GatewayCall" GROUP BY 1, 2, 3, 4, 5;
INSERT INTO "GatewayCallHour" ("orgId", "hour", "routeKey", "calls", "refused")
SELECT "orgId", ("at" / 3600000) * 3600000, COALESCE("routeId", ''), COUNT(*), SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END)
FROM "GatewayCall" GROUP BY 1, 2, 3;

-- Triggers that keep both in step with "GatewayCall", in the statement that writes the calls. A deleted call (retention,
-- an identity or route deleted) is subtracted; its day's latest time stays.
CREATE TRIGGER "GatewayCall_rollup_ai" AFTER INSERT ON "GatewayCall" BEGIN
  INSERT INTO "GatewayCallDay" ("orgId", "day", "routeKey", "identityKey", "method", "calls", "refused", "lastAt")
  VALUES (new."orgId", (new."at" / 86400000) * 86400000, COALESCE(new."routeId", ''), COALESCE(new."identityId", ''), new."method", 1,
          CASE WHEN new."decision" = 'allow' THEN 0 ELSE 1 END, new."at")
  ON CONFLICT ("orgId", "day", "routeKey", "identityKey", "method")
  DO UPDATE SET "calls" = "calls" + 1, "refused" = "refused" + excluded."refused", "lastAt" = MAX("lastAt", excluded."lastAt");
  INSERT INTO "GatewayCallHour" ("orgId", "hour", "routeKey", "calls", "refused")
  VALUES (new."orgId", (new."at" / 3600000) * 3600000, COALESCE(new."routeId", ''), 1, CASE WHEN new."decision" = 'allow' THEN 0 ELSE 1 END)
  ON CONFLICT ("orgId", "hour", "routeKey") DO UPDATE SET "calls" = "calls" + 1, "refused" = "refused" + excluded."refused";
END;

CREATE TRIGGER "GatewayCall_rollup_ad" AFTER DELETE ON "GatewayCall" BEGIN
  UPDATE "GatewayCallDay" SET "calls" = "calls" - 1, "refused" = "refused" - (CASE WHEN old."decision" = 'allow' THEN 0 ELSE 1 END)
  WHERE "orgId" = old."orgId" AND "day" = (old."at" / 86400000) * 86400000 AND "routeKey" = COALESCE(old."routeId", '')
    AND "identityKey" = COALESCE(old."identityId", '') AND "method" = old."method";
  UPDATE "GatewayCallHour" SET "calls" = "calls" - 1, "refused" = "refused" - (CASE WHEN old."decision" = 'allow' THEN 0 ELSE 1 END)
  WHERE "orgId" = old."orgId" AND "hour" = (old."at" / 3600000) * 3600000 AND "routeKey" = COALESCE(old."routeId", '');
END;
