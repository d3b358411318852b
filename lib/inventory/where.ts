import type { IdentityFilter } from '@/lib/inventory/schemas'
import type { Prisma } from '@/lib/generated/sqlite/client'

const DAY = 86_400_000

/** Builds the tenant-scoped WHERE of an identity filter. Pure, so campaigns and bulk jobs reuse it. */
export function identityWhere(
  orgId: string,
  f: IdentityFilter,
  opts: { userId: string; dormantDays: number; now?: Date; omit?: keyof IdentityFilter },
): Prisma.IdentityWhereInput {
  const now = (opts.now ?? new Date()).getTime()
  const and: Prisma.IdentityWhereInput[] = [{ orgId }]
  const applies = (k: keyof IdentityFilter) => opts.omit !== k
  if (f.q && applies('q')) and.push({ searchText: { contains: f.q.toLowerCase() } })
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
