// The lines of the large CSV exports (inventory, access) and the cell rules every CSV of the app follows, in plain
// JavaScript: the export threads (export-thread.mjs) write pages with them off the main thread, and the app imports the
// same functions (types in lines.d.mts), so there is one writer of each line whichever thread runs it.

const DAY = 86_400_000

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula: names and
 * ids come from the sources, so anyone who can name an identity could plant one. A leading apostrophe keeps it text.
 */
export function neutraliseCell(value) {
  const c = value.charCodeAt(0)
  // = + - @ tab CR
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 ? `'${value}` : value
}

const NEEDS_QUOTES = /[",\r\n]/

/** A text cell as written: neutralised, then quoted when it holds a quote, comma or line break. */
export function textCell(value) {
  const text = neutraliseCell(value)
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** A value of a raw query as a Date: epoch milliseconds on SQLite, a timestamp (Date or text) on PostgreSQL. */
export function asDate(v) {
  if (v === null || v === undefined) return null
  if (v instanceof Date) return v
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v))
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return new Date(Number(v))
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`)
  }
  return null
}

/** A boolean of a raw query: 1/0 on SQLite, true/false on PostgreSQL. */
export function asBool(v) {
  return v === true || v === 1 || v === 1n || v === '1' || v === 't' || v === 'true'
}

/**
 * A page's lines as a few strings of at most PIECE lines: one string for a whole page (~250 KB) would be allocated
 * outside the young generation, and pages then pile up until a full collection (memory grew by 250 MB over an export).
 */
const PIECE = 200
function pieces(lines) {
  const out = []
  for (let i = 0; i < lines.length; i += PIECE) out.push(lines.slice(i, i + PIECE).join(''))
  return out
}

const text = (v) => (v === null || v === undefined ? '' : textCell(v))
const iso = (v) => {
  const d = asDate(v)
  return d ? d.toISOString() : ''
}

/**
 * The columns of an inventory page's identity rows, in the order lib/reports/inventory.ts selects them: the page
 * writers take rows as arrays (better-sqlite3 builds an object of twelve keys per row at about twice the cost of
 * reading the row).
 */
export const INVENTORY_ROW = [
  'id',
  'name',
  'kind',
  'environment',
  'status',
  'privileged',
  'lastUsedAt',
  'externalId',
  'sourceId',
  'ownerId',
  'backupOwnerId',
  'teamId',
]
const [ID, NAME, KIND, ENVIRONMENT, STATUS, PRIVILEGED, LAST_USED_AT, EXTERNAL_ID, SOURCE_ID, OWNER_ID, BACKUP_OWNER_ID, TEAM_ID] = INVENTORY_ROW.keys()

const NAME_COLUMNS = [SOURCE_ID, OWNER_ID, BACKUP_OWNER_ID, TEAM_ID]

/**
 * The ids of the source, owners and team that a page's identity rows refer to and `names` does not hold yet: an export
 * looks each up once (rememberNames) instead of joining four tables per row.
 */
export function unknownNames(rows, names) {
  const unknown = new Set()
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    for (const c of NAME_COLUMNS) if (r[c] != null && !names.has(r[c])) unknown.add(r[c])
  }
  return [...unknown]
}

/** Adds looked-up names ([id, name, email] rows) to `names`; an id asked for and not found is remembered as nameless. */
export function rememberNames(names, asked, rows) {
  for (const id of asked) names.set(id, NAMELESS)
  for (const [id, name, email] of rows) names.set(id, { name, email })
}
const NAMELESS = { name: null, email: null }

// Separators of the open findings' text (lib/reports/inventory.ts): ASCII unit and record separators, which no rule or
// OWASP code holds.
const UNIT = '\u001f'
const RECORD = '\u001e'

/**
 * An identity's open findings as their CSV cells (count, OWASP codes, rules): `v` is its findings as `code␟rule`
 * joined by ␞, in no particular order; the distinct codes sorted and joined by spaces, every rule sorted and joined by
 * spaces. Sorted here rather than by the database: ordered aggregates (a sort per identity) took half of an
 * export's reading time. Codes and rules are ASCII ids from code, so JavaScript's order is the byte order.
 */
function findingCells(v) {
  if (v.indexOf(RECORD) === -1) {
    // one finding (most identities that have any): nothing to sort
    const cut = v.indexOf(UNIT)
    return `,1,${textCell(v.slice(0, cut))},${textCell(v.slice(cut + 1))}`
  }
  const parts = v.split(RECORD)
  const codes = new Set()
  const rules = new Array(parts.length)
  for (let i = 0; i < parts.length; i++) {
    const cut = parts[i].indexOf(UNIT)
    codes.add(parts[i].slice(0, cut))
    rules[i] = parts[i].slice(cut + 1)
  }
  return `,${parts.length},${textCell([...codes].sort().join(' '))},${textCell(rules.sort().join(' '))}`
}

/**
 * One page of the inventory export (INVENTORY_COLUMNS order, every text cell neutralised), written straight from the
 * rows (INVENTORY_ROW): `credentials` and `findings` are the page's [identity id, figures] rows (lib/reports/inventory.ts
 * says their form); an identity without any has none; `names` holds the source, user and team names by id
 * (unknownNames). The cells of a million rows are never gathered into arrays first.
 */
export function inventoryPage(rows, credentials, findings, now, names) {
  const credentialsOf = new Map(credentials)
  const findingsOf = new Map(findings)
  const out = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    const [active, oldest, next, expired] = (credentialsOf.get(r[ID]) ?? '0   0').split(' ')
    const found = findingsOf.get(r[ID])
    const owner = r[OWNER_ID] == null ? NAMELESS : names.get(r[OWNER_ID])
    const backup = r[BACKUP_OWNER_ID] == null ? NAMELESS : names.get(r[BACKUP_OWNER_ID])
    out[i] =
      textCell(r[ID]) +
      ',' +
      textCell(r[NAME]) +
      ',' +
      textCell(r[KIND]) +
      ',' +
      text(names.get(r[SOURCE_ID]).name) +
      ',' +
      textCell(r[EXTERNAL_ID]) +
      ',' +
      textCell(r[ENVIRONMENT]) +
      ',' +
      textCell(r[STATUS]) +
      ',' +
      (asBool(r[PRIVILEGED]) ? 'true' : 'false') +
      ',' +
      text(owner.name) +
      ',' +
      text(owner.email) +
      ',' +
      text(backup.name) +
      ',' +
      text(backup.email) +
      ',' +
      text(r[TEAM_ID] == null ? null : names.get(r[TEAM_ID]).name) +
      ',' +
      iso(r[LAST_USED_AT]) +
      ',' +
      Number(active) +
      ',' +
      (oldest ? textCell(String(Math.floor((now - Number(oldest)) / DAY))) : '') +
      ',' +
      (next ? new Date(Number(next)).toISOString() : '') +
      ',' +
      Number(expired) +
      (found === undefined ? ',0,,' : findingCells(found)) +
      '\n'
  }
  return pieces(out)
}

/**
 * The columns of an access page's rows, in the order lib/reports/inventory.ts selects them — the order of the CSV's
 * columns (ACCESS_COLUMNS).
 */
export const ACCESS_ROW = [
  'grantId',
  'identityId',
  'name',
  'kind',
  'status',
  'source',
  'entitlement',
  'resource',
  'resourceType',
  'privileged',
  'createdAt',
  'lastUsedAt',
  'usageReported',
]
const [
  GRANT_ID,
  IDENTITY_ID,
  IDENTITY,
  IDENTITY_KIND,
  IDENTITY_STATUS,
  SOURCE,
  ENTITLEMENT,
  RESOURCE,
  RESOURCE_TYPE,
  GRANT_PRIVILEGED,
  GRANTED_AT,
  GRANT_LAST_USED_AT,
  USAGE_REPORTED,
] = ACCESS_ROW.keys()

/** One page of the access export (ACCESS_COLUMNS order, every text cell neutralised), straight from the rows (ACCESS_ROW). */
export function accessPage(rows) {
  const out = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const g = rows[i]
    out[i] =
      textCell(g[GRANT_ID]) +
      ',' +
      textCell(g[IDENTITY_ID]) +
      ',' +
      textCell(g[IDENTITY]) +
      ',' +
      textCell(g[IDENTITY_KIND]) +
      ',' +
      textCell(g[IDENTITY_STATUS]) +
      ',' +
      textCell(g[SOURCE]) +
      ',' +
      text(g[ENTITLEMENT]) +
      ',' +
      text(g[RESOURCE]) +
      ',' +
      text(g[RESOURCE_TYPE]) +
      ',' +
      (asBool(g[GRANT_PRIVILEGED]) ? 'true' : 'false') +
      ',' +
      iso(g[GRANTED_AT]) +
      ',' +
      iso(g[GRANT_LAST_USED_AT]) +
      ',' +
      (asBool(g[USAGE_REPORTED]) ? 'true' : 'false') +
      '\n'
  }
  return pieces(out)
}

/** What a page of each export is written with (rows as arrays): the export thread is told the name. */
export const PAGE_WRITERS = {
  inventory: (results, now, names) => inventoryPage(results[0], results[1], results[2], now, names),
  access: (results) => accessPage(results[0]),
}
