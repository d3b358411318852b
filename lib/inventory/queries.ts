import 'server-only'
import { listAuditForTarget } from '@/lib/audit/queries'
import { assertCan, type OrgContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import type { IdentityFilter, IdentityListParams } from '@/lib/inventory/schemas'
import { identityWhere } from '@/lib/inventory/where'
import { parseOrgSettings } from '@/lib/settings/schemas'

const NULLABLE_SORTS = new Set(['lastUsedAt', 'oldestSecretAt'])

export async function getOrgSettings(ctx: OrgContext) {
  const org = await db.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { settings: true } })
  return parseOrgSettings(org.settings)
}

export async function listIdentities(ctx: OrgContext, p: IdentityListParams) {
  assertCan(ctx, 'identity:read')
  const settings = await getOrgSettings(ctx)
  const where = identityWhere(ctx.org.id, p, { userId: ctx.user.id, dormantDays: settings.dormantDays })
  const order = NULLABLE_SORTS.has(p.sort) ? { sort: p.dir, nulls: 'last' as const } : p.dir
  const [rows, total] = await Promise.all([
    db.identity.findMany({
      where,
      orderBy: [{ [p.sort]: order }, { id: 'asc' }],
      skip: (p.page - 1) * p.size,
      take: p.size,
      select: {
        id: true,
        name: true,
        kind: true,
        environment: true,
        status: true,
        lastUsedAt: true,
        createdAt: true,
        riskScore: true,
        privileged: true,
        grantCount: true,
        credentialCount: true,
        oldestSecretAt: true,
        openFindings: true,
        source: { select: { id: true, name: true, type: true } },
        owner: { select: { id: true, name: true } },
        team: { select: { id: true, name: true } },
      },
    }),
    db.identity.count({ where }),
  ])
  return { rows, total, dormantDays: settings.dormantDays }
}

/** Counts per value of each facet, under every other active filter (so the numbers match what a click gives). */
export async function identityFacets(ctx: OrgContext, f: IdentityFilter) {
  assertCan(ctx, 'identity:read')
  const { dormantDays } = await getOrgSettings(ctx)
  const base = { userId: ctx.user.id, dormantDays }
  const group = async (by: 'kind' | 'environment' | 'status' | 'sourceId', omit: keyof IdentityFilter) => {
    const rows = await db.identity.groupBy({ by: [by], where: identityWhere(ctx.org.id, f, { ...base, omit }), _count: { _all: true } })
    return Object.fromEntries(rows.map((r) => [r[by] as string, r._count._all])) as Record<string, number>
  }
  const [kind, environment, status, source] = await Promise.all([
    group('kind', 'kind'),
    group('environment', 'env'),
    group('status', 'status'),
    group('sourceId', 'source'),
  ])
  return { kind, environment, status, source }
}

export async function listFilterOptions(ctx: OrgContext) {
  const [sources, people, teams] = await Promise.all([
    db.source.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true, type: true }, orderBy: { name: 'asc' } }),
    db.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active' },
      select: { user: { select: { id: true, name: true, email: true } } },
      orderBy: { user: { name: 'asc' } },
    }),
    db.team.findMany({ where: { orgId: ctx.org.id }, select: { id: true, name: true }, orderBy: { name: 'asc' } }),
  ])
  return { sources, people: people.map((m) => m.user), teams }
}

export async function getIdentityOrThrow(ctx: OrgContext, id: string) {
  assertCan(ctx, 'identity:read')
  if (!/^[a-z0-9_-]{1,40}$/i.test(id)) throw new NotFoundError('Identity not found')
  const identity = await db.identity.findFirst({
    where: { id, orgId: ctx.org.id },
    include: {
      source: { select: { id: true, name: true, type: true } },
      owner: { select: { id: true, name: true, email: true, active: true } },
      backupOwner: { select: { id: true, name: true, email: true, active: true } },
      team: { select: { id: true, name: true } },
      tags: { select: { key: true, value: true }, orderBy: { key: 'asc' } },
      credentials: { orderBy: { createdAt: 'desc' }, take: 100 },
      findings: { where: { status: { not: 'resolved' } }, orderBy: { severity: 'asc' } },
    },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  const [grants, activity, audit] = await Promise.all([
    db.grant.findMany({
      where: { identityId: id, orgId: ctx.org.id },
      orderBy: [{ privileged: 'desc' }, { createdAt: 'desc' }],
      take: 500,
      include: { entitlement: { select: { name: true, privileged: true, resource: { select: { name: true, type: true, environment: true } } } } },
    }),
    db.activityEvent.findMany({ where: { identityId: id, orgId: ctx.org.id }, orderBy: { at: 'desc' }, take: 25 }),
    listAuditForTarget(ctx, id, 25),
  ])
  return { identity, grants, activity, audit }
}
