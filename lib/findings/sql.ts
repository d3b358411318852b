// A tiny SQL layer shared by the findings engine and the metrics: the same statements run through Prisma
// (web, worker, tests) and through lib/bulk.ts (seeder, benchmarks). Placeholders are `?` on both engines.
export type Engine = 'sqlite' | 'postgresql'

export interface Sql {
  readonly engine: Engine
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>
  /** Runs fn in one transaction (nested calls join it). */
  transaction<T>(fn: (s: Sql) => Promise<T>): Promise<T>
}

export type Frag = { readonly text: string; readonly params: readonly unknown[] }
const FRAG = Symbol('frag')
type TaggedFrag = Frag & { [FRAG]: true }

function mk(text: string, params: readonly unknown[]): TaggedFrag {
  return { text, params, [FRAG]: true }
}
function isFrag(v: unknown): v is Frag {
  return typeof v === 'object' && v !== null && FRAG in v
}

/** Engine-aware statement builder: interpolated values become parameters, fragments are inlined. */
export function dialect(engine: Engine) {
  const q = (strings: TemplateStringsArray, ...values: unknown[]): Frag => {
    let text = strings[0]
    const params: unknown[] = []
    values.forEach((v, i) => {
      if (isFrag(v)) {
        text += v.text
        params.push(...v.params)
      } else {
        text += '?'
        params.push(v)
      }
      text += strings[i + 1]
    })
    return mk(text, params)
  }
  return {
    engine,
    q,
    /** A DateTime parameter: epoch ms on SQLite (how Prisma stores it there), UTC timestamp text on PostgreSQL. */
    date: (d: Date | number): Frag => {
      const ms = typeof d === 'number' ? d : d.getTime()
      return engine === 'sqlite' ? mk('?', [ms]) : mk('CAST(? AS TIMESTAMP(3))', [new Date(ms).toISOString()])
    },
    raw: (text: string): Frag => mk(text, []),
    join: (parts: Frag[], sep: string): Frag => mk(parts.map((p) => p.text).join(sep), parts.flatMap((p) => [...p.params])),
    /** `(subquery of the given ids)` for `"col" IN ${d.ids(list)}`: one JSON parameter whatever the list's length. */
    ids: (list: readonly string[]): Frag =>
      engine === 'sqlite' ? mk('(SELECT value FROM json_each(?))', [JSON.stringify(list)]) : mk('(SELECT json_array_elements_text(CAST(? AS json)))', [JSON.stringify(list)]),
    /** A string literal for constants that come from code (rule ids, titles), never from input. */
    lit: (s: string): Frag => mk(`'${s.replace(/'/g, "''")}'`, []),
  }
}
export type Dialect = ReturnType<typeof dialect>

export async function run<T = Record<string, unknown>>(s: Sql, f: Frag): Promise<T[]> {
  return s.query<T>(f.text, f.params)
}

/** Counts come back as bigint or string from PostgreSQL, number from SQLite. */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0
  return typeof v === 'number' ? v : Number(v)
}

/** Dates read by raw SQL: epoch ms (SQLite) or Date/string (PostgreSQL). */
export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v))
  const s = String(v)
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`)
}

/** The lib/bulk.ts writer (scripts) seen as an Sql. */
export function bulkSql(w: { engine: Engine; query<T>(sql: string, params?: readonly unknown[]): Promise<T[]>; transaction<T>(fn: () => Promise<T>): Promise<T> }): Sql {
  const s: Sql = {
    engine: w.engine,
    query: (text, params) => w.query(text, params ?? []),
    transaction: (fn) => w.transaction(() => fn(s)),
  }
  return s
}
