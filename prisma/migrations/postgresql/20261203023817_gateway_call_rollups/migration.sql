-- CreateTable
CREATE TABLE "GatewayCallDay" (
    "orgId" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "routeKey" TEXT NOT NULL,
    "identityKey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "refused" INTEGER NOT NULL,
    "lastAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayCallDay_pkey" PRIMARY KEY ("orgId","day","routeKey","identityKey","method")
);

-- CreateTable
CREATE TABLE "GatewayCallHour" (
    "orgId" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "routeKey" TEXT NOT NULL,
    "calls" INTEGER NOT NULL,
    "refused" INTEGER NOT NULL,

    CONSTRAINT "GatewayCallHour_pkey" PRIMARY KEY ("orgId","hour","routeKey")
);

-- CreateIndex
CREATE INDEX "GatewayCallDay_orgId_routeKey_day_idx" ON "GatewayCallDay"("orgId", "routeKey", "day");

-- CreateIndex
CREATE INDEX "GatewayCallDay_orgId_identityKey_day_idx" ON "GatewayCallDay"("orgId", "identityKey", "day");


-- Backfill from the calls already recorded.
INSERT INTO "GatewayCallDay" ("orgId", "day", "routeKey", "identityKey", "method", "calls", "refused", "lastAt")
SELECT "orgId", date_trunc('day', "at"), COALESCE("routeId", ''), COALESCE("identityId", ''), "method", COUNT(*),
       SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END), MAX("at")
FROM "GatewayCall" GROUP BY 1, 2, 3, 4, 5;
INSERT INTO "GatewayCallHour" ("orgId", "hour", "routeKey", "calls", "refused")
SELECT "orgId", date_trunc('hour', "at"), COALESCE("routeId", ''), COUNT(*), SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END)
FROM "GatewayCall" GROUP BY 1, 2, 3;

-- Triggers that keep both in step with "GatewayCall": once per statement over its transition table (a batch of 100
-- calls is one GROUP BY, not 100 upserts), cells in key order so two writers lock them in the same order. A deleted
-- call (retention, an identity or route deleted) is subtracted; its day's latest time stays.
CREATE FUNCTION "gateway_call_rollup_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "GatewayCallDay" ("orgId", "day", "routeKey", "identityKey", "method", "calls", "refused", "lastAt")
  SELECT "orgId", date_trunc('day', "at"), COALESCE("routeId", ''), COALESCE("identityId", ''), "method", COUNT(*),
         SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END), MAX("at")
  FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("orgId", "day", "routeKey", "identityKey", "method") DO UPDATE SET
    "calls" = "GatewayCallDay"."calls" + EXCLUDED."calls", "refused" = "GatewayCallDay"."refused" + EXCLUDED."refused",
    "lastAt" = GREATEST("GatewayCallDay"."lastAt", EXCLUDED."lastAt");
  INSERT INTO "GatewayCallHour" ("orgId", "hour", "routeKey", "calls", "refused")
  SELECT "orgId", date_trunc('hour', "at"), COALESCE("routeId", ''), COUNT(*), SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END)
  FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("orgId", "hour", "routeKey") DO UPDATE SET
    "calls" = "GatewayCallHour"."calls" + EXCLUDED."calls", "refused" = "GatewayCallHour"."refused" + EXCLUDED."refused";
  RETURN NULL;
END $$;
CREATE TRIGGER "GatewayCall_rollup_ai" AFTER INSERT ON "GatewayCall" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "gateway_call_rollup_after_insert"();

CREATE FUNCTION "gateway_call_rollup_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "GatewayCallDay" g SET "calls" = g."calls" - d."c", "refused" = g."refused" - d."r"
  FROM (SELECT "orgId", date_trunc('day', "at") AS "day", COALESCE("routeId", '') AS "routeKey", COALESCE("identityId", '') AS "identityKey", "method",
               COUNT(*) AS "c", SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END) AS "r"
        FROM old_rows GROUP BY 1, 2, 3, 4, 5) d
  WHERE g."orgId" = d."orgId" AND g."day" = d."day" AND g."routeKey" = d."routeKey" AND g."identityKey" = d."identityKey" AND g."method" = d."method";
  UPDATE "GatewayCallHour" g SET "calls" = g."calls" - d."c", "refused" = g."refused" - d."r"
  FROM (SELECT "orgId", date_trunc('hour', "at") AS "hour", COALESCE("routeId", '') AS "routeKey",
               COUNT(*) AS "c", SUM(CASE WHEN "decision" = 'allow' THEN 0 ELSE 1 END) AS "r"
        FROM old_rows GROUP BY 1, 2, 3) d
  WHERE g."orgId" = d."orgId" AND g."hour" = d."hour" AND g."routeKey" = d."routeKey";
  RETURN NULL;
END $$;
CREATE TRIGGER "GatewayCall_rollup_ad" AFTER DELETE ON "GatewayCall" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "gateway_call_rollup_after_delete"();
