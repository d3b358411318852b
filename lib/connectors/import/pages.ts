// Shared pieces of the import readers: the error for a file in the wrong format, value parsers, and a page
// builder that turns a stream of mapped records into DiscoveryPages of bounded size.
import type { DiscoveredIdentity, DiscoveryError, DiscoveryPage, DiscoverySkip } from '@/lib/connectors/types'

/** The file is not in the chosen format at all (wrong header, wrong document): nothing is imported. */
export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ImportFormatError'
  }
}

export const IDENTITY_KINDS = ['service_account', 'api_key', 'oauth_app', 'bot', 'ci_cd', 'workload', 'ai_agent', 'certificate', 'other'] as const
export const ENVIRONMENTS = ['production', 'staging', 'development', 'test', 'unknown'] as const
export const CREDENTIAL_KINDS = ['access_key', 'token', 'password', 'certificate', 'ssh_key', 'client_secret'] as const

/** Rows per page handed to the sync engine (each page is applied in its own transaction). */
export const PAGE_ROWS = 4_000

/** One record of a file mapped: an identity with what it holds, or (instead of the rest) why it is not an NHI. */
export type MappedRecord = Pick<DiscoveryPage, 'credentials' | 'resources' | 'entitlements' | 'grants'> & {
  identity?: DiscoveredIdentity
  skipped?: DiscoverySkip
}

export class PageBuilder {
  private page: Required<Omit<DiscoveryPage, 'activity'>> = PageBuilder.empty()
  private rows = 0
  constructor(private readonly size = PAGE_ROWS) {}

  private static empty() {
    return { identities: [], credentials: [], resources: [], entitlements: [], grants: [], errors: [], skipped: [] } as Required<
      Omit<DiscoveryPage, 'activity'>
    >
  }

  add(r: MappedRecord): DiscoveryPage | null {
    if (r.identity) this.page.identities.push(r.identity)
    if (r.credentials) this.page.credentials.push(...r.credentials)
    if (r.resources) this.page.resources.push(...r.resources)
    if (r.entitlements) this.page.entitlements.push(...r.entitlements)
    if (r.grants) this.page.grants.push(...r.grants)
    if (r.skipped) this.page.skipped.push(r.skipped)
    return ++this.rows >= this.size ? this.flush() : null
  }

  error(e: DiscoveryError): DiscoveryPage | null {
    this.page.errors.push(e)
    return ++this.rows >= this.size ? this.flush() : null
  }

  flush(): DiscoveryPage | null {
    if (this.rows === 0) return null
    const p = this.page
    this.page = PageBuilder.empty()
    this.rows = 0
    return p
  }
}

/** Pages of records mapped from a whole document, then its errors. */
export async function* pagesOf(records: Iterable<MappedRecord>, errors: Iterable<DiscoveryError>): AsyncGenerator<DiscoveryPage> {
  const pages = new PageBuilder()
  for (const r of records) {
    const p = pages.add(r)
    if (p) yield p
  }
  for (const e of errors) {
    const p = pages.error(e)
    if (p) yield p
  }
  const last = pages.flush()
  if (last) yield last
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/
const NO_DATE: readonly string[] = ['', 'N/A', 'n/a', 'null', 'none', '-']

/** An ISO 8601 date or date-time; empty or a "no value" marker gives null; anything else throws a clear message. */
export function parseDate(value: string | null | undefined, column: string, none: readonly string[] = NO_DATE): Date | null {
  if (value === null || value === undefined) return null
  const v = value.trim()
  if (none.includes(v)) return null
  if (!ISO_DATE.test(v)) throw new RowError(`${column}: "${clip(v)}" is not a date (use ISO 8601, e.g. 2025-03-01 or 2025-03-01T12:00:00Z)`)
  const d = new Date(v.length === 10 ? `${v}T00:00:00Z` : v.replace(' ', 'T'))
  if (Number.isNaN(d.getTime())) throw new RowError(`${column}: "${clip(v)}" is not a valid date`)
  return d
}

const TRUE = ['true', 'yes', 'y', '1']
const FALSE = ['false', 'no', 'n', '0']

export function parseBool(value: string | null | undefined, column: string): boolean | null {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '') return null
  if (TRUE.includes(v)) return true
  if (FALSE.includes(v)) return false
  throw new RowError(`${column}: "${clip(v)}" is not true or false`)
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], column: string): T {
  // Most values are already written as stored: no normalizing then (a bulk upsert reads 100,000 of them).
  if (allowed.includes(value as T)) return value as T
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_') as T
  if (!allowed.includes(v)) throw new RowError(`${column}: "${clip(value)}" is not one of ${allowed.join(', ')}`)
  return v
}

/** A problem with one record; the reader reports it with the line number and goes on. */
export class RowError extends Error {}

export function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
