// The one way to write SQL that runs on both engines (SQLite and PostgreSQL). The rules it encodes:
// - Every interpolated value is a bound parameter: `?` on SQLite, `$1…` on PostgreSQL, numbered when rendered.
//   Text enters a statement only through sql.raw / sql.ident / sql.lit, which take constants from code, never input.
// - DateTime values are stored the way Prisma stores them: epoch milliseconds on SQLite (its better-sqlite3 adapter
//   runs with timestampFormat 'unixepoch-ms'), UTC timestamp(3) on PostgreSQL. Booleans are 1/0 on SQLite.
// - JSON parameters are text; long id lists travel as ONE parameter (sql.isIn: JSON on SQLite, the ids joined on
//   PostgreSQL), which keeps every statement far under the bind limit (SQLite: 32,766) and costs one bind, not thousands.
// - Executing is the adapters' job: lib/sql/prisma.ts (the app's client and its transactions) and lib/sql/driver.ts
//   (the seeder's and benchmarks' own connection). Nothing else calls $queryRawUnsafe.

export type Engine = 'sqlite' | 'postgresql'

/** A piece of SQL with its parameters, independent of the engine until rendered. Build it with the `sql` tag. */
export class Fragment {
  /** @internal use the `sql` tag */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

class DateParam {
  constructor(readonly ms: number) {}
}
class JsonParam {
  constructor(readonly text: string) {}
}
class PerEngine {
  constructor(readonly choice: Readonly<Record<Engine, Fragment>>) {}
}

/** Something that executes fragments: the Prisma adapter (lib/sql/prisma.ts) or the driver adapter (lib/sql/driver.ts). */
export interface SqlClient {
  readonly engine: Engine
  /** The rows of a statement (SELECT, or anything with RETURNING). */
  query<T = Record<string, unknown>>(q: Fragment): Promise<T[]>
  /** Runs a statement; returns how many rows it changed. */
  execute(q: Fragment): Promise<number>
  /** Runs fn in one transaction; inside one already, fn joins it. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>
  /** SQLite: runs a write with bound parameters on the connection at once (lib/sql/sqlite-insert.ts), or null when not available. */
  sqliteWriter?(): ((text: string, params: unknown[]) => unknown) | null
}

/**
 * `sql\`SELECT "id" FROM "Identity" WHERE "orgId" = ${orgId}\``: every value becomes a bound parameter, fragments
 * nest (their parameters follow along), Dates become the engine's DateTime value.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  return new Fragment(strings, values)
}

const raw = (text: string) => new Fragment([text], [])

/** SQL text from code (operators, constant expressions, catalog DDL), never from input. */
sql.raw = raw
/** Nothing: for an optional part. */
sql.empty = raw('')
/** A quoted identifier (table or column name from code). */
sql.ident = (name: string): Fragment => raw(`"${name.replace(/"/g, '""')}"`)
/** A string literal for constants from code (rule ids, titles), never from input. */
sql.lit = (s: string): Fragment => raw(`'${s.replace(/'/g, "''")}'`)
/** A DateTime parameter given as epoch milliseconds (a Date interpolated directly is one too). */
sql.date = (d: Date | number): DateParam => new DateParam(typeof d === 'number' ? d : d.getTime())
/** A JSON parameter (text on both engines). */
sql.json = (value: unknown): JsonParam => new JsonParam(JSON.stringify(value))
/** Fragments or values joined by a separator from code: `IN (${sql.join(slugs)})`. Values become parameters. */
sql.join = (parts: readonly unknown[], separator = ', '): Fragment => {
  if (parts.length === 0) return sql.empty
  return new Fragment(['' as string, ...parts.slice(1).map(() => separator), ''], parts)
}
/** A part written differently per engine; chosen when the statement is rendered. */
sql.byEngine = (choice: Readonly<Record<Engine, Fragment>>): PerEngine => new PerEngine(choice)
const UNIT_SEPARATOR = '\u001f'
/**
 * `IN (the ids)` for `"col" ${sql.isIn(list)}`. On PostgreSQL it is `= ANY (string_to_array(the ids joined, US))`: with the
 * statement's values bound at planning, the array is a constant, so the list is an index condition (or a hashed filter)
 * and never a join. `IN (SELECT json_array_elements_text(...))` is planned as a semi-join, and when the statistics say
 * the other side has one row (a new source's identities, before ANALYZE has seen them) the set-returning function runs
 * once per row of that side: 10,000 rows x 5,000 ids took 6.1 s per statement. An id that is empty or holds the
 * separator (never a generated id; an external id could) makes it that JSON form: correct, only planned worse.
 */
sql.isIn = (list: readonly string[]): PerEngine => {
  const json = sql.json(list)
  const joinable = list.every((v) => v !== '' && !v.includes(UNIT_SEPARATOR))
  return sql.byEngine({
    sqlite: sql`IN (SELECT value FROM json_each(${json}))`,
    postgresql: joinable
      ? sql`= ANY (string_to_array(${list.join(UNIT_SEPARATOR)}, chr(31)))`
      : sql`IN (SELECT json_array_elements_text(CAST(${json} AS json)))`,
  })
}

/**
 * A value as the engine stores it: Dates (and epoch ms when `isDate`) as epoch ms on SQLite and UTC ISO text on
 * PostgreSQL, booleans as 1/0 on SQLite. Used for bound parameters and for the rows of the bulk inserts alike.
 */
export function dbValue(v: unknown, engine: Engine, isDate = false): unknown {
  if (v === undefined || v === null) return null
  if (v instanceof Date || (isDate && (typeof v === 'number' || typeof v === 'string'))) {
    const d = v instanceof Date ? v : new Date(v)
    return engine === 'sqlite' ? d.getTime() : d.toISOString()
  }
  if (typeof v === 'boolean') return engine === 'sqlite' ? (v ? 1 : 0) : v
  return v
}

export type Rendered = { text: string; params: unknown[] }

/** The statement text for one engine and its parameters, in order. */
export function render(q: Fragment, engine: Engine): Rendered {
  const params: unknown[] = []
  const bind = (v: unknown) => {
    params.push(v)
    return engine === 'postgresql' ? `$${params.length}` : '?'
  }
  let text = ''
  const walk = (f: Fragment) => {
    text += f.strings[0]
    for (let i = 0; i < f.values.length; i++) {
      const v = f.values[i]
      if (v instanceof Fragment) walk(v)
      else if (v instanceof PerEngine) walk(v.choice[engine])
      else if (v instanceof JsonParam) text += bind(v.text)
      else if (v instanceof DateParam || v instanceof Date) {
        const ms = v instanceof Date ? v.getTime() : v.ms
        if (Number.isNaN(ms)) throw new TypeError('sql: invalid date')
        text += engine === 'sqlite' ? bind(ms) : `CAST(${bind(new Date(ms).toISOString())} AS TIMESTAMP(3))`
      } else if (v === undefined) throw new TypeError(`sql: undefined value after ${JSON.stringify(f.strings[i].slice(-40))}`)
      else if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
        // Lists and objects have no single SQL meaning: say which (sql.isIn, sql.join, sql.json).
        throw new TypeError(
          `sql: ${Array.isArray(v) ? 'an array' : 'an object'} as a value after ${JSON.stringify(f.strings[i].slice(-40))}; use sql.isIn, sql.join or sql.json`,
        )
      } else text += bind(dbValue(v, engine))
      text += f.strings[i + 1]
    }
  }
  walk(q)
  return { text, params }
}

/** Counts come back as bigint or string from PostgreSQL, number from SQLite. */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0
  return typeof v === 'number' ? v : Number(v)
}

/** SQLite binds at most 32,766 parameters per statement (PostgreSQL 65,535): the lower limit rules. */
export const MAX_PARAMS = 32_766

/** The list cut into consecutive pieces of at most `size`. */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

/** Runs fn over the list in consecutive pieces of at most `size`, one after the other. */
export async function inChunks<T>(list: readonly T[], size: number, fn: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (const chunk of chunks(list, size)) await fn(chunk)
}
