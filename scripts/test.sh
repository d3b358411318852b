#!/usr/bin/env bash
# `npm test`: every test. Lint and typecheck, unit tests, integration tests on SQLite and on PostgreSQL,
# and Playwright end-to-end tests in Chromium against SQLite and against PostgreSQL.
# Runs every step even when one fails, then prints "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
RESULTS=.tmp/test-results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
FAILED_STEPS=()

step() {
  local name="$1"; shift
  echo ""
  echo "=== $name"
  local t0=$SECONDS
  if "$@"; then echo "=== $name: ok ($((SECONDS - t0)) s)"; else echo "=== $name: FAILED ($((SECONDS - t0)) s)"; FAILED_STEPS+=("$name"); fi
}

step "generate Prisma clients" node scripts/db.mjs generate
step "lint" npx eslint --max-warnings 0 .
step "format (Prettier)" npx prettier --check . --log-level warn
rm -rf .next/types .next/dev/types  # stale route types from an older build break tsc
step "typecheck" npx tsc --noEmit
# The /api/v1 contract as served, checked by a linter (the database is never opened: only the schemas are read).
step "OpenAPI lint (Redocly)" bash -c 'DATABASE_URL="file:$PWD/.tmp/openapi-unused.db" node --conditions=react-server --import tsx scripts/openapi.ts .tmp/openapi.json && npx redocly lint --format stylish .tmp/openapi.json'
step "unit" npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$RESULTS/unit.json"

step "start PostgreSQL" bash scripts/pg.sh start
PG_IT_URL=""
if bash scripts/pg.sh drop custodian_it >/dev/null 2>&1; then PG_IT_URL="$(bash scripts/pg.sh url custodian_it)"; fi

rm -f .tmp/it.db .tmp/it.db-wal .tmp/it.db-shm
step "integration (SQLite)" env DATABASE_URL="file:$PWD/.tmp/it.db" TEST_ENGINE=sqlite \
  npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$RESULTS/integration-sqlite.json"
if [ -n "$PG_IT_URL" ]; then
  step "integration (PostgreSQL)" env DATABASE_URL="$PG_IT_URL" TEST_ENGINE=postgresql \
    npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$RESULTS/integration-postgresql.json"
else
  FAILED_STEPS+=("integration (PostgreSQL): no server")
fi

rm -f .tmp/e2e.db .tmp/e2e.db-wal .tmp/e2e.db-shm
step "e2e (SQLite)" env DATABASE_URL="file:$PWD/.tmp/e2e.db" E2E_ENGINE=sqlite PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/e2e-sqlite.json" \
  npx playwright test --reporter=list,json
# The page benchmark at 2,000 identities, so it cannot rot (it fails when a page errors or is not measured); with two
# web processes on the one port, so every page is also served through the cluster (signed in on one, answered by either).
step "page benchmark smoke (SQLite, 2,000 identities, two web processes)" env CUSTODIAN_WEB_PROCESSES=2 node --import tsx bench/pages.ts --scale 2000 --runs 1 --port 3401
bash scripts/pg.sh drop custodian_e2e >/dev/null 2>&1 || true
if PG_E2E_URL="$(bash scripts/pg.sh url custodian_e2e)"; then
  step "e2e (PostgreSQL)" env DATABASE_URL="$PG_E2E_URL" E2E_ENGINE=postgresql PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/e2e-postgresql.json" \
    npx playwright test --reporter=list,json
else
  FAILED_STEPS+=("e2e (PostgreSQL): no server")
fi

node scripts/test-summary.mjs "$RESULTS" "${#FAILED_STEPS[@]}"
summary=$?
if [ ${#FAILED_STEPS[@]} -gt 0 ]; then
  echo "failed steps: ${FAILED_STEPS[*]}"
  exit 1
fi
exit $summary
