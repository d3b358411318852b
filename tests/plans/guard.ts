// The query-plan guard: the statements the hot page functions send (captured from the Prisma client), each EXPLAINed
// with its own parameters, and the plan steps that read one of the large tables without an index. Used by
// tests/integration/query-plans.test.ts (a seeded database, both engines) and bench/plans.ts (any database, timed).
import Database from 'better-sqlite3'
import pg from 'pg'
import { sqliteFile } from '../../lib/db-url'

/** Tables that grow with the inventory: a page must never read one of them without an index. */
export const LARGE_TABLES = ['Identity', 'Grant', 'Credential', 'Finding', 'ActivityEvent', 'AuditEvent', 'ReviewItem'] as const

export type Statement = { query: string; params: unknown[] }
export type Plan = { statement: Statement; lines: string[]; violations: string[] }

/** A statement as the client logged it (params are a JSON array). */
export function statementOf(e: { query: string; params: string }): Statement {
  let params: unknown[] = []
  try {
    const v = JSON.parse(e.params)
    if (Array.isArray(v)) params = v
  } catch {
    params = []
  }
  return { query: e.query, params }
}

/** Reads only: the statements of a page (writes, transactions and catalog reads are not page queries). */
export function isPageRead(s: Statement): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(s.query)
}

/** Table names by alias in a statement (`main`.`Identity` AS `j0`, "public"."Identity" AS "j0"), and each table by its own name. */
function aliases(query: string): Map<string, string> {
  const out = new Map<string, string>(LARGE_TABLES.map((t) => [t, t]))
  for (const m of query.matchAll(/[`"](?:main|public)[`"]\.[`"](\w+)[`"](?:\s+AS)?\s+[`"](\w+)[`"]/gi)) out.set(m[2], m[1])
  return out
}

const LARGE = new Set<string>(LARGE_TABLES)

/** A statement that aggregates (COUNT, SUM) in its outer select: it reads every matching row by design. */
export function isAggregate(query: string): boolean {
  const head = query.slice(0, query.search(/\sFROM\s/i) + 1 || query.length)
  return /\b(COUNT|SUM)\(/i.test(head)
}

/**
 * SQLite: a SCAN of a large table (a full pass over it, all organizations) unless through an index; and a list that
 * reads the whole organization through an index on orgId alone and sorts it (the identity page's grants at 1,000,000
 * identities). Aggregates over the whole organization may scan: when one organization holds most of a table SQLite
 * rightly reads it whole (their cost is the count's own design, not an index).
 */
export function sqliteViolations(query: string, details: string[]): string[] {
  if (isAggregate(query)) return []
  const names = aliases(query)
  const table = (name: string) => names.get(name) ?? name
  // Any sort, whole or of the right part of the order ("RIGHT PART OF" / "LAST n TERMS OF ORDER BY"): after an index
  // on orgId alone, the part the index orders by is a whole organization's worth of rows (the identity page's grants
  // planned on (orgId, privileged, lastUsedAt) sorted by createdAt the right part, and passed unseen before this).
  const sortsAll = details.some((d) => /^USE TEMP B-TREE FOR (DISTINCT|(?:RIGHT PART OF |LAST (?:\d+ )?TERMS? OF )?ORDER BY)/.test(d.trim()))
  // An OR of two index reads cannot give the order: every matching row is read and sorted (My identities of an owner
  // of 35,000 identities, before it merged two ordered reads).
  const orThenSort = sortsAll && details.some((d) => d.trim() === 'MULTI-INDEX OR')
  return details.filter((d) => {
    if (orThenSort && d.trim() === 'MULTI-INDEX OR') return true
    const scan = /^SCAN (?:main\.)?(\w+)/.exec(d.trim())
    if (scan) return LARGE.has(table(scan[1])) && !/USING (COVERING )?INDEX/.test(d)
    const search = /^SEARCH (?:main\.)?(\w+) USING (?:COVERING )?INDEX \w+ \((ANY\(orgId\)|orgId=\?)\)/.exec(d.trim())
    return !!search && LARGE.has(table(search[1])) && sortsAll
  })
}

/**
 * PostgreSQL: a sequential scan of a large table (planned with enable_seqscan off, so only a missing index shows one);
 * and a scan of a large table whose only index condition is the organization while it filters by an id column (every
 * row of the organization read to find one identity's: the identity page's grants without their identity index). At the
 * guard's 3,000 identities PostgreSQL rightly reads a whole organization for many lists, so only that shape is flagged.
 */
export function postgresViolations(lines: string[]): string[] {
  const out: string[] = []
  lines.forEach((l, i) => {
    const m = /Seq Scan on "?(\w+)"?/.exec(l)
    if (m) {
      if (LARGE.has(m[1])) out.push(l)
      return
    }
    const scan = /(?:Index (?:Only )?Scan (?:Backward )?using "?\w+"?|Bitmap Heap Scan) on "?(\w+)"?/.exec(l)
    if (!scan || !LARGE.has(scan[1])) return
    const next = lines.slice(i + 1).findIndex((x) => /^\s*->/.test(x))
    const own = lines.slice(i + 1, next < 0 ? undefined : i + 1 + next)
    const orgOnly = own.some((x) => /(Index|Recheck) Cond: \("orgId" = (\$\d+|'[^']*'::text)\)\s*$/.test(x))
    const byId = own.some((x) => /Filter: .*"?\w*Id"? = /.test(x))
    if (orgOnly && byId) out.push(`${l.trim()} — ${own.map((x) => x.trim()).join('; ')}`)
  })
  return out
}

export interface Explainer {
  explain(s: Statement): Promise<Plan>
  /** runs the statement itself; milliseconds */
  time(s: Statement): Promise<number>
  close(): Promise<void>
}

/** EXPLAINs statements on DATABASE_URL over the driver's own connection (never the app's). */
export async function openExplainer(databaseUrl: string): Promise<Explainer> {
  if (databaseUrl.startsWith('file:')) {
    const db = new Database(sqliteFile(databaseUrl), { readonly: true })
    return {
      async explain(statement) {
        const params = statement.params.map((p) => (typeof p === 'boolean' ? Number(p) : p))
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${statement.query}`).all(...params) as { detail: string }[]
        const lines = rows.map((r) => r.detail)
        return { statement, lines, violations: sqliteViolations(statement.query, lines) }
      },
      async time(statement) {
        const t = performance.now()
        db.prepare(statement.query).all(...statement.params.map((p) => (typeof p === 'boolean' ? Number(p) : /^\d+$/.test(String(p)) ? Number(p) : p)))
        return performance.now() - t
      },
      async close() {
        db.close()
      },
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  return {
    async explain(statement) {
      await client.query('BEGIN')
      try {
        // A small table is cheaper to read whole, which would hide a missing index: plan as if it were large.
        await client.query('SET LOCAL enable_seqscan = off')
        const res = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${statement.query}`, statement.params)
        const lines = res.rows.map((r) => r['QUERY PLAN'])
        return { statement, lines, violations: postgresViolations(lines) }
      } finally {
        await client.query('ROLLBACK')
      }
    },
    async time(statement) {
      const t = performance.now()
      await client.query(statement.query, statement.params)
      return performance.now() - t
    },
    async close() {
      await client.end()
    },
  }
}

/** A plan in words for a failure message: the statement (shortened) and its plan. */
export function describePlan(p: Plan): string {
  const q = p.statement.query.replace(/[`"]main[`"]\.|[`"]public[`"]\./g, '').replace(/\s+/g, ' ')
  return `${q.length > 400 ? `${q.slice(0, 400)}…` : q}\n    ${p.lines.join('\n    ')}`
}
