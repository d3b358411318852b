// What an audit row changed, in words, for the audit log and an identity's history: people and teams by name,
// with the ids kept in the row itself for evidence.

const FIELDS = [
  ['ownerId', 'owner'],
  ['backupOwnerId', 'backup owner'],
  ['teamId', 'team'],
] as const
type Fields = Partial<Record<(typeof FIELDS)[number][0], string | null>>

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
}

function fieldsOf(v: unknown): Fields | null {
  const o = obj(v)
  if (!o) return null
  const out: Fields = {}
  for (const [k] of FIELDS) if (k in o && (typeof o[k] === 'string' || o[k] === null)) out[k] = o[k] as string | null
  return out
}

/** The details JSON of an audit row, or {} when it is not an object. */
export function parseDetails(json: string | null | undefined): Record<string, unknown> {
  try {
    return obj(JSON.parse(json ?? '{}')) ?? {}
  } catch {
    return {}
  }
}

/** Ids of people and teams an ownership row names (from/to of one identity, or the fields of a bulk assignment). */
export function ownershipIds(details: Record<string, unknown>): string[] {
  const ids = new Set<string>()
  for (const f of [fieldsOf(details.from), fieldsOf(details.to), fieldsOf(details.fields)]) {
    for (const v of Object.values(f ?? {})) if (v) ids.add(v)
  }
  return [...ids]
}

/** "owner: nobody → Mo Member · team: Payments → Data" (changes of one identity) or "owner → Mo Member" (a bulk assignment). */
export function describeOwnershipChange(details: Record<string, unknown>, names: Record<string, string>): string | null {
  const name = (id: string | null | undefined) => (id ? (names[id] ?? id) : 'nobody')
  const from = fieldsOf(details.from)
  const to = fieldsOf(details.to)
  if (from && to) {
    const parts = FIELDS.filter(([k]) => k in to && (from[k] ?? null) !== (to[k] ?? null)).map(([k, label]) => `${label}: ${name(from[k])} → ${name(to[k])}`)
    return parts.length ? parts.join(' · ') : null
  }
  const fields = fieldsOf(details.fields)
  if (fields) {
    const parts = FIELDS.filter(([k]) => k in fields).map(([k, label]) => `${label} → ${name(fields[k])}`)
    return parts.length ? parts.join(' · ') : null
  }
  return null
}

const SHOWN_NAMES = 3
const MAX_PARTS = 6

/** A value in words: a named object by its name, null as "none", anything else as short text. */
function word(v: unknown): string {
  if (v === null || v === undefined || v === '') return 'none'
  const o = obj(v)
  if (o) return typeof o.name === 'string' ? o.name : typeof o.identity === 'string' ? o.identity : JSON.stringify(o).slice(0, 80)
  if (Array.isArray(v)) return v.map(word).join(', ') || 'none'
  return String(v).slice(0, 80)
}

const isFromTo = (v: unknown): v is { from: unknown; to: unknown } => !!obj(v) && 'from' in (v as object) && 'to' in (v as object)

/** "a, b, c and 9 more" from a list of named things (and the total when the list was bounded). */
function namedList(list: unknown[], total?: unknown): string {
  const names = list.map(word)
  const n = typeof total === 'number' && total > names.length ? total : names.length
  const shown = names.slice(0, SHOWN_NAMES)
  return n > shown.length ? `${shown.join(', ')} and ${n - shown.length} more` : shown.join(', ')
}

/**
 * What an audit row changed, in one line: ownership by names (describeOwnershipChange); a review decision with the
 * item's identity, grant or credential; old → new values of a settings change (`before`/`after`, `from`/`to`, or
 * per-field `{ from, to }`); and the things a bulk change touched, by name. The row keeps everything for the details.
 */
export function describeChange(details: Record<string, unknown>, names: Record<string, string>): string | null {
  const own = describeOwnershipChange(details, names)
  if (own) return own
  const parts: string[] = []
  if (typeof details.decision === 'string') {
    parts.push(`decision: ${typeof details.previous === 'string' && details.previous !== details.decision ? `${details.previous} → ` : ''}${details.decision}`)
    for (const k of ['identity', 'grant', 'credential'] as const) if (obj(details[k])) parts.push(`${k}: ${word(details[k])}`)
    if (Array.isArray(details.reducedGrants)) parts.push(`drops: ${namedList(details.reducedGrants)}`)
  }
  const before = obj(details.before)
  const after = obj(details.after)
  if (before && after) {
    for (const k of Object.keys(after)) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) parts.push(`${k}: ${word(before[k])} → ${word(after[k])}`)
  } else if (isFromTo(details) && !obj(details.from) && !obj(details.to)) {
    parts.push(`${word(details.from)} → ${word(details.to)}`)
  }
  for (const [k, v] of Object.entries(details)) if (isFromTo(v)) parts.push(`${k}: ${word(v.from)} → ${word(v.to)}`)
  if (obj(details.counts)) {
    parts.push(
      Object.entries(details.counts as Record<string, unknown>)
        .map(([d, n]) => `${n} ${d}`)
        .join(', '),
    )
  }
  // A bounded list names the first few; the row's count says how many it stands for.
  const counted = obj(details.counts)
    ? Object.values(details.counts as Record<string, unknown>).reduce<number>((a, n) => a + (typeof n === 'number' ? n : 0), 0)
    : undefined
  const total = [details.selected, details.count, details.items, counted].find((n) => typeof n === 'number')
  for (const k of ['items', 'identities', 'recipients'] as const) {
    const list = details[k]
    if (Array.isArray(list) && list.length) parts.push(`${k}: ${namedList(list, k === 'recipients' ? undefined : total)}`)
  }
  return parts.length ? parts.slice(0, MAX_PARTS).join(' · ') : null
}
