import 'server-only'
import { allows, assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ForbiddenError, NotFoundError } from '@/lib/errors'
import { templateGrants } from '@/lib/leases/mutations'
import { describeGrant, type LeaseStatus, type TemplateGrant } from '@/lib/leases/schemas'
import { principalLabel } from '@/lib/principals/schemas'

export type TemplateDto = {
  id: string
  name: string
  description: string | null
  source: { id: string; name: string }
  grants: TemplateGrant[]
  grantsText: string[]
  defaultTtlSeconds: number
  maxTtlSeconds: number
  status: string
  /** who may be given its credentials; null for a template made before templates named them (usable by no one) */
  usableBy: { type: string; label: string; identityId: string | null; teamId: string | null; tagKey: string | null; tagValue: string | null } | null
  activeLeases: number
  createdAt: Date
}

export type LeaseDto = {
  id: string
  identity: { id: string; name: string }
  template: { id: string; name: string }
  roleName: string
  requestedBy: { type: string; id: string | null; label: string }
  task: string | null
  justification: string | null
  issuedAt: Date
  expiresAt: Date
  maxExpiresAt: Date
  renewals: number
  status: LeaseStatus
  endReason: string | null
  endedAt: Date | null
  endAttempts: number
  lastError: string | null
}

const LEASE_INCLUDE = { identity: { select: { id: true, name: true } }, template: { select: { id: true, name: true } } } as const

type LeaseRow = Awaited<ReturnType<typeof db.lease.findMany<{ include: typeof LEASE_INCLUDE }>>>[number]

function leaseDto(l: LeaseRow, now: Date): LeaseDto {
  // A lease past its end that the job has not reached yet is shown as expired: VALID UNTIL already refuses its logins.
  const status = (l.status === 'active' && l.expiresAt <= now ? 'expired' : l.status) as LeaseStatus
  return {
    id: l.id,
    identity: l.identity,
    template: l.template,
    roleName: l.roleName,
    requestedBy: { type: l.requestedByType, id: l.requestedById, label: l.requestedByLabel },
    task: l.task,
    justification: l.justification,
    issuedAt: l.issuedAt,
    expiresAt: l.expiresAt,
    maxExpiresAt: l.maxExpiresAt,
    renewals: l.renewals,
    status,
    endReason: l.endReason,
    endedAt: l.endedAt,
    endAttempts: l.endAttempts,
    lastError: l.lastError,
  }
}

export async function listTemplates(ctx: Ctx): Promise<TemplateDto[]> {
  if (!allows(ctx, 'lease:read') && !allows(ctx, 'lease:request')) throw new ForbiddenError()
  const rows = await db.credentialTemplate.findMany({
    where: { orgId: ctx.org.id },
    include: {
      source: { select: { id: true, name: true } },
      identity: { select: { name: true } },
      team: { select: { name: true } },
      _count: { select: { leases: { where: { status: 'active' } } } },
    },
    orderBy: { name: 'asc' },
  })
  return rows.map((t) => {
    const grants = templateGrants(t.grants)
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      source: t.source,
      grants,
      grantsText: grants.map(describeGrant),
      defaultTtlSeconds: t.defaultTtlSeconds,
      maxTtlSeconds: t.maxTtlSeconds,
      status: t.status,
      usableBy: t.principalType
        ? {
            type: t.principalType,
            label: principalLabel({ ...t, principalType: t.principalType }),
            identityId: t.identityId,
            teamId: t.teamId,
            tagKey: t.tagKey,
            tagValue: t.tagValue,
          }
        : null,
      activeLeases: t._count.leases,
      createdAt: t.createdAt,
    }
  })
}

export type LeaseFilter = { status?: 'active' | 'ended' | 'stuck' | 'all'; identityId?: string; limit?: number; afterId?: string }

/**
 * Leases of the organization, newest first. A workload sees only its own; everyone else needs lease:read, or reads one
 * identity's leases with identity:read (the identity page).
 */
export async function listLeases(ctx: Ctx, f: LeaseFilter = {}, now = new Date()): Promise<LeaseDto[]> {
  const identityId = ctx.actor.type === 'workload' ? ctx.actor.id : f.identityId
  if (ctx.actor.type === 'workload') assertCan(ctx, 'lease:read')
  else if (!allows(ctx, 'lease:read') && !(identityId && allows(ctx, 'identity:read'))) throw new ForbiddenError()
  const status =
    f.status === 'active'
      ? { status: { in: ['active', 'revoking'] }, expiresAt: { gt: now } }
      : f.status === 'stuck'
        ? { status: 'stuck' }
        : f.status === 'ended'
          ? { OR: [{ status: { in: ['expired', 'revoked', 'forgotten'] } }, { status: 'active', expiresAt: { lte: now } }] }
          : {}
  const rows = await db.lease.findMany({
    where: { orgId: ctx.org.id, ...(identityId ? { identityId } : {}), ...status, ...(f.afterId ? { id: { lt: f.afterId } } : {}) },
    include: LEASE_INCLUDE,
    orderBy: [{ issuedAt: 'desc' }, { id: 'desc' }],
    take: Math.min(f.limit ?? 100, 500),
  })
  return rows.map((l) => leaseDto(l, now))
}

export async function getLeaseOrThrow(ctx: Ctx, leaseId: string, now = new Date()): Promise<LeaseDto> {
  const l = await db.lease.findFirst({
    where: { id: leaseId, orgId: ctx.org.id, ...(ctx.actor.type === 'workload' ? { identityId: ctx.actor.id } : {}) },
    include: LEASE_INCLUDE,
  })
  if (!l) throw new NotFoundError('Lease not found')
  return leaseDto(l, now)
}

/** The identity page's Leases section: active ones, then the most recent ended (at most 20). */
export async function identityLeases(ctx: Ctx, identityId: string, now = new Date()) {
  assertCan(ctx, 'identity:read')
  const rows = await db.lease.findMany({ where: { orgId: ctx.org.id, identityId }, include: LEASE_INCLUDE, orderBy: [{ issuedAt: 'desc' }], take: 30 })
  const all = rows.map((l) => leaseDto(l, now))
  return {
    active: all.filter((l) => l.status === 'active' || l.status === 'revoking'),
    recent: all.filter((l) => l.status !== 'active' && l.status !== 'revoking').slice(0, 20),
  }
}

/** Templates this identity may lease from (the break-glass form): active ones whose principal reaches it. */
export async function leaseableTemplates(ctx: Ctx, identity: { id: string; teamId: string | null }) {
  if (!allows(ctx, 'lease:request')) return []
  const [templates, tags] = await Promise.all([
    db.credentialTemplate.findMany({
      where: { orgId: ctx.org.id, status: 'active', principalType: { not: null } },
      select: {
        id: true,
        name: true,
        defaultTtlSeconds: true,
        maxTtlSeconds: true,
        principalType: true,
        identityId: true,
        teamId: true,
        tagKey: true,
        tagValue: true,
      },
      orderBy: { name: 'asc' },
    }),
    db.identityTag.findMany({ where: { orgId: ctx.org.id, identityId: identity.id }, select: { key: true, value: true } }),
  ])
  const tagged = new Set(tags.map((t) => `${t.key}=${t.value}`))
  return templates
    .filter((t) =>
      t.principalType === 'identity'
        ? t.identityId === identity.id
        : t.principalType === 'team'
          ? !!t.teamId && t.teamId === identity.teamId
          : tagged.has(`${t.tagKey}=${t.tagValue}`),
    )
    .map((t) => ({ id: t.id, name: t.name, defaultTtlSeconds: t.defaultTtlSeconds, maxTtlSeconds: t.maxTtlSeconds }))
}

/** The sources a template can use: PostgreSQL with a connection (secretRef). */
export async function leaseSources(ctx: Ctx) {
  assertCan(ctx, 'lease:manage')
  return db.source.findMany({
    where: { orgId: ctx.org.id, type: 'postgresql', secretRef: { not: null } },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
  })
}

/** The dashboard's lease figures: live now (active, being revoked, stuck) and ended in the last 24 hours. */
export async function leaseStats(ctx: Ctx, now = new Date()) {
  if (!allows(ctx, 'lease:read')) return null
  const [live, ended] = await Promise.all([
    db.lease.groupBy({ by: ['status'], where: { orgId: ctx.org.id, status: { in: ['active', 'revoking', 'stuck'] } }, _count: { _all: true } }),
    db.lease.count({ where: { orgId: ctx.org.id, endedAt: { gte: new Date(now.getTime() - 86_400_000) } } }),
  ])
  const of = (s: string) => live.find((r) => r.status === s)?._count._all ?? 0
  return { active: of('active') + of('revoking'), stuck: of('stuck'), ended24h: ended }
}
