import { describe, expect, it } from 'vitest'
import { postgresViolations, sqliteViolations } from '../plans/guard'

// The shapes the query-plan guard must refuse, as each engine prints them for the identity page's grants without their
// identity index (the walk of a whole organization the page benchmark found at 1,000,000 identities).
const grants = `SELECT * FROM "Grant" WHERE "identityId" = ? AND "orgId" = ? ORDER BY "privileged" DESC, "createdAt" DESC LIMIT 500`

describe('query-plan guard', () => {
  it('SQLite: an organization-wide index read sorted whole or in its right part is refused; an identity-led one is not', () => {
    for (const sort of ['USE TEMP B-TREE FOR ORDER BY', 'USE TEMP B-TREE FOR RIGHT PART OF ORDER BY', 'USE TEMP B-TREE FOR LAST TERM OF ORDER BY'])
      expect(sqliteViolations(grants, ['SEARCH Grant USING INDEX Grant_orgId_privileged_lastUsedAt_idx (orgId=?)', sort])).toHaveLength(1)
    expect(sqliteViolations(grants, ['SEARCH Grant USING INDEX Grant_identityId_entitlementId_key (identityId=?)', 'USE TEMP B-TREE FOR ORDER BY'])).toEqual([])
    expect(sqliteViolations(grants, ['SCAN Grant'])).toHaveLength(1)
  })

  it('PostgreSQL: an organization-wide index read filtered by an id is refused, by index or by bitmap; a list of the organization is not', () => {
    const bitmap = [
      'Limit  (cost=943.81..943.91 rows=38 width=135)',
      '  ->  Sort  (cost=943.81..943.91 rows=38 width=135)',
      '        Sort Key: privileged DESC, "createdAt" DESC',
      '        ->  Bitmap Heap Scan on "Grant"  (cost=417.13..942.81 rows=38 width=135)',
      `              Recheck Cond: ("orgId" = 'o1'::text)`,
      `              Filter: ("identityId" = 'i1'::text)`,
      '              ->  Bitmap Index Scan on "Grant_orgId_privileged_lastUsedAt_idx"  (cost=0.00..417.12 rows=14512 width=0)',
      `                    Index Cond: ("orgId" = 'o1'::text)`,
    ]
    expect(postgresViolations(bitmap)).toHaveLength(1)
    const walk = [
      'Limit  (cost=0.14..8.15 rows=1 width=460)',
      '  ->  Index Scan Backward using "AuditEvent_orgId_seq_key" on "AuditEvent"  (cost=0.14..8.15 rows=1 width=460)',
      '        Index Cond: ("orgId" = $1)',
      '        Filter: ("targetId" = $2)',
    ]
    expect(postgresViolations(walk)).toHaveLength(1)
    const list = [
      'Limit  (cost=0.42..10.2 rows=50 width=200)',
      '  ->  Index Scan using "Identity_orgId_name_id_status_idx" on "Identity"  (cost=0.42..1000.0 rows=5000 width=200)',
      `        Index Cond: ("orgId" = 'o1'::text)`,
      `        Filter: (status <> 'deleted'::text)`,
    ]
    expect(postgresViolations(list)).toEqual([])
    expect(postgresViolations(['Seq Scan on "Grant"  (cost=0.00..1.00 rows=1 width=1)'])).toHaveLength(1)
  })
})
