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
 * One page of the inventory export (INVENTORY_COLUMNS order, every text cell neutralised), written straight from the
 * rows: `credentials` and `findings` are the page's [identity id, figures] pairs (lib/reports/inventory.ts says their
 * form); an identity without any has none. The cells of a million rows are never gathered into arrays first.
 */
export function inventoryPage(rows, credentials, findings, now) {
  const credentialsOf = new Map()
  for (const c of credentials) credentialsOf.set(c.id, c.v)
  const findingsOf = new Map()
  for (const f of findings) findingsOf.set(f.id, f.v)
  const out = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    const [active, oldest, next, expired] = (credentialsOf.get(r.id) ?? '0   0').split(' ')
    const [count, codes, rules] = (findingsOf.get(r.id) ?? '0||').split('|')
    out[i] =
      textCell(r.id) +
      ',' +
      textCell(r.name) +
      ',' +
      textCell(r.kind) +
      ',' +
      textCell(r.source) +
      ',' +
      textCell(r.externalId) +
      ',' +
      textCell(r.environment) +
      ',' +
      textCell(r.status) +
      ',' +
      (asBool(r.privileged) ? 'true' : 'false') +
      ',' +
      text(r.owner) +
      ',' +
      text(r.ownerEmail) +
      ',' +
      text(r.backupOwner) +
      ',' +
      text(r.backupOwnerEmail) +
      ',' +
      text(r.team) +
      ',' +
      iso(r.lastUsedAt) +
      ',' +
      Number(active) +
      ',' +
      (oldest ? textCell(String(Math.floor((now - Number(oldest)) / DAY))) : '') +
      ',' +
      (next ? new Date(Number(next)).toISOString() : '') +
      ',' +
      Number(expired) +
      (count === '0' ? ',0,,' : `,${count},${textCell(codes.replaceAll(',', ' '))},${textCell(rules)}`) +
      '\n'
  }
  return pieces(out)
}

/** One page of the access export (ACCESS_COLUMNS order, every text cell neutralised), straight from the rows. */
export function accessPage(rows) {
  const out = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const g = rows[i]
    out[i] =
      textCell(g.grantId ?? '') +
      ',' +
      textCell(g.identityId) +
      ',' +
      textCell(g.name) +
      ',' +
      textCell(g.kind) +
      ',' +
      textCell(g.status) +
      ',' +
      textCell(g.source) +
      ',' +
      text(g.entitlement) +
      ',' +
      text(g.resource) +
      ',' +
      text(g.resourceType) +
      ',' +
      (asBool(g.privileged) ? 'true' : 'false') +
      ',' +
      iso(g.createdAt) +
      ',' +
      iso(g.lastUsedAt) +
      ',' +
      (asBool(g.usageReported) ? 'true' : 'false') +
      '\n'
  }
  return pieces(out)
}

/** What a page of each export is written with: the export thread is told the name. */
export const PAGE_WRITERS = {
  inventory: (results, now) => inventoryPage(results[0], results[1], results[2], now),
  access: (results) => accessPage(results[0]),
}
