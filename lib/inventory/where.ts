import type { IdentityFilter } from '@/lib/inventory/schemas'
import type { Prisma } from '@/lib/generated/sqlite/client'

const DAY = 86_400_000
/** The trigram indexes (SQLite FTS5, PostgreSQL pg_trgm) answer substrings of at least this many characters. */
export const SEARCH_MIN_SUBSTRING = 3

/**
 * Text search: three or more characters match anywhere in the name, external id or a tag (key=value) through the
 * trigram index; shorter text matches the start of the name through the (orgId, searchText) index, since a one- or
 * two-character substring has no trigram and would read every row.
 */
export function searchWhere(q: string): Prisma.IdentityWhereInput {
  const text = q.toLowerCase()
  if (text.length >= SEARCH_MIN_SUBSTRING) return { search: { some: { body: { contains: text } } } }
  return { searchText: { gte: text, lt: `${text}\u{10FFFF}`, startsWith: text } }
}

/** Builds the tenant-scoped WHERE of an identity filter. Pure, so campaigns and bulk jobs reuse it. */
export function identityWhere(
  orgId: string,
  f: IdentityFilter,
  opts: { userId: string; dormantDays: number; now?: Date; omit?: keyof IdentityFilter },
): Prisma.IdentityWhereInput {
  const now = (opts.now ?? new Date()).getTime()
  const and: Prisma.IdentityWhereInput[] = [{ orgId }]
  const applies = (k: keyof IdentityFilter) => opts.omit !== k
  if (f.q && applies('q')) and.push(searchWhere(f.q))
  if (f.kind.length && applies('kind')) and.push({ kind: { in: f.kind } })
  if (f.env.length && applies('env')) and.push({ environment: { in: f.env } })
  if (applies('status')) and.push(f.status.length ? { status: { in: f.status } } : { status: { not: 'deleted' } })
  if (f.source.length && applies('source')) and.push({ sourceId: { in: f.source } })
  if (f.owner && applies('owner')) {
    if (f.owner === 'unowned') and.push({ ownerId: null })
    else if (f.owner === 'me') and.push({ OR: [{ ownerId: opts.userId }, { backupOwnerId: opts.userId }] })
    else and.push({ ownerId: f.owner })
  }
  if (f.team && applies('team')) and.push({ teamId: f.team })
  if (f.privileged && applies('privileged')) and.push({ privileged: f.privileged === 'yes' })
  if (f.dormant && applies('dormant')) {
    const cutoff = new Date(now - opts.dormantDays * DAY)
    // Unknown usage (a source that does not report it) is neither dormant nor recently used.
    and.push(f.dormant === 'yes' ? { usageReported: true, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }] } : { lastUsedAt: { gte: cutoff } })
  }
  if (f.credAge && applies('credAge')) and.push({ oldestSecretAt: { lt: new Date(now - Number(f.credAge) * DAY) } })
  if (f.finding && applies('finding')) {
    const which = /^NHI\d+$/.test(f.finding) ? { owaspCode: f.finding } : { rule: f.finding }
    and.push({ findings: { some: { orgId, status: 'open', ...which } } })
  }
  if (f.risk && applies('risk')) {
    and.push(f.risk === 'high' ? { riskScore: { gte: 70 } } : f.risk === 'medium' ? { riskScore: { gte: 40, lt: 70 } } : { riskScore: { lt: 40 } })
  }
  return { AND: and }
}
