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
  const use = (k: keyof IdentityFilter) => opts.omit !== k
  if (f.q && use('q')) and.push({ searchText: { contains: f.q.toLowerCase() } })
  if (f.kind.length && use('kind')) and.push({ kind: { in: f.kind } })
  if (f.env.length && use('env')) and.push({ environment: { in: f.env } })
  if (use('status')) and.push(f.status.length ? { status: { in: f.status } } : { status: { not: 'deleted' } })
  if (f.source.length && use('source')) and.push({ sourceId: { in: f.source } })
  if (f.owner && use('owner')) {
    if (f.owner === 'unowned') and.push({ ownerId: null })
    else if (f.owner === 'me') and.push({ OR: [{ ownerId: opts.userId }, { backupOwnerId: opts.userId }] })
    else and.push({ ownerId: f.owner })
  }
  if (f.team && use('team')) and.push({ teamId: f.team })
  if (f.privileged && use('privileged')) and.push({ privileged: f.privileged === 'yes' })
  if (f.dormant && use('dormant')) {
    const cutoff = new Date(now - opts.dormantDays * DAY)
    and.push(f.dormant === 'yes' ? { OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }] } : { lastUsedAt: { gte: cutoff } })
  }
  if (f.credAge && use('credAge')) and.push({ oldestSecretAt: { lt: new Date(now - Number(f.credAge) * DAY) } })
  if (f.risk && use('risk')) {
    and.push(f.risk === 'high' ? { riskScore: { gte: 70 } } : f.risk === 'medium' ? { riskScore: { gte: 40, lt: 70 } } : { riskScore: { lt: 40 } })
  }
  return { AND: and }
}
