const DAY = 86_400_000

const NUMBER = new Intl.NumberFormat('en-US')
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact' })

export function formatNumber(n: number): string {
  return NUMBER.format(n)
}

/** A row count; when counting stopped at `n` (a capped count), "more than n - 1". */
export function formatCount(n: number, atLeast = false): string {
  return atLeast ? `more than ${NUMBER.format(n - 1)}` : NUMBER.format(n)
}

/** "1,234", and "1.2M" from 100,000 up (chart axes). */
export function formatCompact(n: number): string {
  return n >= 100_000 ? COMPACT.format(n) : NUMBER.format(n)
}

export function formatDate(d: Date | string | null | undefined): string {
  if (!d) return '—'
  const date = typeof d === 'string' ? new Date(d) : d
  return date.toISOString().slice(0, 10)
}

export function formatDateTime(d: Date | string | null | undefined): string {
  if (!d) return '—'
  const date = typeof d === 'string' ? new Date(d) : d
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** "3 days ago", "in 2 months", relative to now. */
export function formatAgo(d: Date | string | null | undefined, now = Date.now()): string {
  if (!d) return 'never'
  const t = (typeof d === 'string' ? new Date(d) : d).getTime()
  const diff = now - t
  const abs = Math.abs(diff)
  const days = Math.floor(abs / DAY)
  let s: string
  if (abs < 3_600_000) s = `${Math.max(1, Math.floor(abs / 60_000))} min`
  else if (abs < DAY) s = `${Math.floor(abs / 3_600_000)} h`
  else if (days < 60) s = `${days} day${days === 1 ? '' : 's'}`
  else if (days < 730) s = `${Math.floor(days / 30)} months`
  else s = `${Math.floor(days / 365)} years`
  return diff >= 0 ? `${s} ago` : `in ${s}`
}

/** Last use in words: its age, "never" when the source reports no use, "unknown" when the source does not report usage. */
export function formatLastUsed(d: Date | string | null | undefined, usageReported: boolean, now = Date.now()): string {
  if (!d) return usageReported ? 'never' : 'unknown'
  return formatAgo(d, now)
}

/** The moment a server component renders; ages shown on the page are relative to it. */
export function renderTime(): number {
  return Date.now()
}

/** "1 identity", "2,000 identities": a count with its noun, pluralised (irregular plurals passed explicitly). */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`
}

/** "production" → "Production". */
export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** Select options from a label map, in its key order: the domain's label map is the one source of an option's words. */
export function optionsOf(labels: Readonly<Record<string, string>>): { value: string; label: string }[] {
  return Object.entries(labels).map(([value, label]) => ({ value, label }))
}
