// The generic import format (docs/import-format.md): one row per identity, or per identity and one of its
// credentials or grants (an identity's rows need not be adjacent). CSV with a header row, or JSON (an array of
// objects with the same field names).
import type { DiscoveryPage } from '@/lib/connectors/types'
import { readCsvPages } from './csv'
import {
  clip,
  CREDENTIAL_KINDS,
  ENVIRONMENTS,
  errorMessage,
  IDENTITY_KINDS,
  ImportFormatError,
  oneOf,
  PageBuilder,
  parseBool,
  parseDate,
  RowError,
  type MappedRecord,
} from './pages'

export const GENERIC_COLUMNS = [
  'name',
  'external_id',
  'kind',
  'environment',
  'status',
  'description',
  'owner_email',
  'created_at',
  'last_used_at',
  'credential_kind',
  'credential_id',
  'credential_label',
  'credential_created_at',
  'credential_rotated_at',
  'credential_expires_at',
  'credential_last_used_at',
  'resource',
  'resource_type',
  'permission',
  'privileged',
  'grant_last_used_at',
  'tags',
] as const

type Get = (column: string) => string

const STATUSES = ['active', 'disabled'] as const

/** A last-used value: "never" was never used; empty (or N/A...) is not known, which is not the same (no dormancy finding). */
export function parseLastUsed(value: string, column: string): Date | null | undefined {
  if (value.trim().toLowerCase() === 'never') return null
  return parseDate(value, column) ?? undefined
}

/** Maps one generic row (values by column name) to discovery records; throws RowError with a readable reason. */
export function mapGenericRow(get: Get): MappedRecord {
  const externalId = get('external_id').trim() || get('name').trim()
  const name = get('name').trim() || externalId
  if (!externalId) throw new RowError('external_id (or name) is required')
  if (externalId.length > 500) throw new RowError('external_id is longer than 500 characters')
  if (name.length > 500) throw new RowError('name is longer than 500 characters')
  const kindText = get('kind')
  const kind = kindText.trim() ? oneOf(kindText, IDENTITY_KINDS, 'kind') : 'other'
  const environmentText = get('environment')
  const environment = environmentText.trim() ? oneOf(environmentText, ENVIRONMENTS, 'environment') : 'unknown'
  const statusText = get('status')
  const status = statusText.trim() ? oneOf(statusText, STATUSES, 'status') : undefined
  const ownerEmail = get('owner_email').trim().toLowerCase() || null
  if (ownerEmail && !/^[^\s@]+@[^\s@]+$/.test(ownerEmail)) throw new RowError(`owner_email: "${clip(ownerEmail)}" is not an e-mail address`)
  const tags: Record<string, string> = {}
  const tagText = get('tags')
  if (tagText)
    for (const pair of tagText.split(';')) {
      if (!pair.trim()) continue
      const eq = pair.indexOf('=')
      if (eq <= 0) throw new RowError(`tags: "${clip(pair)}" is not key=value (separate several with ;)`)
      tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim()
    }
  const out: MappedRecord = {
    identity: {
      externalId,
      name,
      kind,
      environment,
      status,
      description: get('description').trim() || null,
      createdAt: parseDate(get('created_at'), 'created_at'),
      lastUsedAt: parseLastUsed(get('last_used_at'), 'last_used_at'),
      ownerEmail,
      tags: Object.keys(tags).length ? tags : undefined,
    },
  }
  const credId = get('credential_id').trim()
  const credKind = get('credential_kind').trim()
  if (credId || credKind) {
    if (!credId) throw new RowError('credential_id is required when credential_kind is set (an id or key name, never the secret itself)')
    out.credentials = [
      {
        identityExternalId: externalId,
        externalId: credId,
        kind: credKind ? oneOf(credKind, CREDENTIAL_KINDS, 'credential_kind') : 'token',
        label: get('credential_label').trim() || null,
        fingerprint: `id:${credId}`,
        createdAt: parseDate(get('credential_created_at'), 'credential_created_at'),
        lastRotatedAt: parseDate(get('credential_rotated_at'), 'credential_rotated_at'),
        expiresAt: parseDate(get('credential_expires_at'), 'credential_expires_at'),
        lastUsedAt: parseLastUsed(get('credential_last_used_at'), 'credential_last_used_at'),
      },
    ]
  }
  const resource = get('resource').trim()
  const permission = get('permission').trim()
  if (resource || permission) {
    if (!resource || !permission) throw new RowError('resource and permission go together: set both or neither')
    const privileged = parseBool(get('privileged'), 'privileged') ?? false
    out.resources = [{ externalId: resource, name: resource, type: get('resource_type').trim() || 'resource' }]
    out.entitlements = [{ resourceExternalId: resource, externalId: permission, name: permission, privileged }]
    out.grants = [
      {
        identityExternalId: externalId,
        resourceExternalId: resource,
        entitlementExternalId: permission,
        lastUsedAt: parseLastUsed(get('grant_last_used_at'), 'grant_last_used_at'),
      },
    ]
  } else {
    const privileged = get('privileged')
    if (privileged.trim()) parseBool(privileged, 'privileged')
  }
  return out
}

/** Reads a generic CSV stream into pages; malformed rows become errors carrying their line numbers. */
export function readGenericCsv(input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): AsyncGenerator<DiscoveryPage> {
  return readCsvPages(input, {
    checkHeader(header, fields) {
      if (!header.has('external_id') && !header.has('name')) {
        throw new ImportFormatError(
          `This does not look like a Custodian generic CSV: the first row must be a header naming at least "external_id" or "name" (found: ${clip(fields.slice(0, 6).join(', '), 120)}).`,
        )
      }
    },
    mapRow(get, fields, h) {
      if (fields.length > h.size && fields.slice(h.size).some((f) => f.trim())) throw new RowError(`has ${fields.length} fields but the header has ${h.size}`)
      return mapGenericRow(get)
    },
    emptyMessage: 'The file is empty: a generic CSV needs a header row and at least one row.',
  })
}

/** One record of the JSON formats (an object with the CSV's field names; tags may be an object) into the page builder. */
function addRecord(pages: PageBuilder, row: unknown, line: number, ref: string): DiscoveryPage | null {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return pages.error({ line, ref, message: 'is not an object' })
  const o = row as Record<string, unknown>
  const get = (c: string) => {
    const v = o[c]
    if (v === undefined || v === null) return ''
    if (c === 'tags' && typeof v === 'object')
      return Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${k}=${String(x)}`)
        .join(';')
    return String(v)
  }
  try {
    return pages.add(mapGenericRow(get))
  } catch (err) {
    return pages.error({ line, ref, message: errorMessage(err) })
  }
}

/** Reads a generic JSON document (an array of objects, or { "identities": [...] }); errors name the record number. */
export async function* readGenericJson(doc: unknown): AsyncGenerator<DiscoveryPage> {
  const rows = Array.isArray(doc)
    ? doc
    : doc && typeof doc === 'object' && Array.isArray((doc as { identities?: unknown }).identities)
      ? (doc as { identities: unknown[] }).identities
      : null
  if (!rows) throw new ImportFormatError('This does not look like a Custodian generic JSON file: expected an array of objects (or { "identities": [...] }).')
  const pages = new PageBuilder()
  for (let i = 0; i < rows.length; i++) {
    const page = addRecord(pages, rows[i], i + 1, `record ${i + 1}`)
    if (page) yield page
  }
  const last = pages.flush()
  if (last) yield last
}

/**
 * Rows per page (and so per transaction) of an NDJSON stream (the API's bulk upsert): each transaction rewrites most leaf
 * pages of Identity's 21 indexes whatever its size, so fewer, larger ones write less. 100,000 new identities through the
 * API (SQLite, alternated): 4,000 a page 14,010–15,995 rows/s, 10,000 17,335–18,147, 20,000 16,869–18,289 — so 10,000,
 * which holds the write lock half as long as 20,000 (other writers wait for it, up to the 20 s busy timeout).
 */
export const NDJSON_PAGE_ROWS = 10_000

/** Reads generic NDJSON (one JSON object per line, the same field names) as the lines arrive, in batches; errors name the line. */
export async function* readGenericNdjson(batches: AsyncIterable<readonly string[]>): AsyncGenerator<DiscoveryPage> {
  const pages = new PageBuilder(NDJSON_PAGE_ROWS)
  let n = 0
  for await (const lines of batches) {
    for (const raw of lines) {
      n++
      if (!raw.trim()) continue
      let row: unknown
      let page: DiscoveryPage | null
      try {
        row = JSON.parse(raw)
        page = addRecord(pages, row, n, `line ${n}`)
      } catch {
        page = pages.error({ line: n, ref: `line ${n}`, message: 'is not valid JSON' })
      }
      if (page) yield page
    }
  }
  const last = pages.flush()
  if (last) yield last
}
