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
