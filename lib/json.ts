/** The strings of a stored JSON array column (addresses, scopes, recipient ids); anything unreadable is none (never throws). */
export function stringsOf(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json)
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}
