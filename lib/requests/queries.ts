import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { personSelect, personStatus, type PersonStatus } from '@/lib/members/person'

export type OwnerRequestDto = {
  id: string
  kind: string
  status: string
  direct: boolean
  privileged: boolean
  justification: string
  decisionReason: string | null
  createdAt: Date
  decidedAt: Date | null
  identity: { id: string; name: string }
  target: string
  requestedBy: { name: string; status: PersonStatus } | null
  decidedBy: string | null
  remediation: { id: string; status: string } | null
}

const SELECT = {
  id: true,
  kind: true,
  status: true,
  direct: true,
  privileged: true,
  justification: true,
  decisionReason: true,
  createdAt: true,
  decidedAt: true,
  grantId: true,
  credentialId: true,
  requestedById: true,
  decidedById: true,
  remediationId: true,
  identity: { select: { id: true, name: true } },
} as const

type Row = { grantId: string | null; credentialId: string | null; requestedById: string; decidedById: string | null; remediationId: string | null } & Omit<
  OwnerRequestDto,
  'target' | 'requestedBy' | 'decidedBy' | 'remediation'
>

/** Names of the targets, people and remediations of a page of requests: a fixed number of queries, whatever the page size. */
async function hydrate(ctx: UserCtx, rows: Row[]): Promise<OwnerRequestDto[]> {
  const orgId = ctx.org.id
  const ids = (f: (r: Row) => string | null) => [...new Set(rows.map(f).filter((x): x is string => !!x))]
  const [grants, creds, people, rems] = await Promise.all([
    db.grant.findMany({
      where: { orgId, id: { in: ids((r) => r.grantId) } },
      select: { id: true, entitlement: { select: { name: true, resource: { select: { name: true } } } } },
    }),
    db.credential.findMany({ where: { orgId, id: { in: ids((r) => r.credentialId) } }, select: { id: true, kind: true, label: true } }),
    db.user.findMany({ where: { id: { in: [...ids((r) => r.requestedById), ...ids((r) => r.decidedById)] } }, select: personSelect(orgId) }),
    db.remediation.findMany({ where: { orgId, id: { in: ids((r) => r.remediationId) } }, select: { id: true, status: true } }),
  ])
  const grant = new Map(grants.map((g) => [g.id, `${g.entitlement.name} on ${g.entitlement.resource.name}`]))
  const cred = new Map(creds.map((c) => [c.id, c.label ? `${c.kind.replace('_', ' ')} · ${c.label}` : c.kind.replace('_', ' ')]))
  const person = new Map(people.map((p) => [p.id, p]))
  const rem = new Map(rems.map((r) => [r.id, r]))
  return rows.map(({ grantId, credentialId, requestedById, decidedById, remediationId, ...r }) => {
    const by = person.get(requestedById)
    return {
      ...r,
      target: (grantId ? grant.get(grantId) : credentialId ? cred.get(credentialId) : null) ?? 'removed item',
      requestedBy: by ? { name: by.name, status: personStatus(by) } : null,
      decidedBy: decidedById ? (person.get(decidedById)?.name ?? null) : null,
      remediation: remediationId ? (rem.get(remediationId) ?? null) : null,
    }
  })
}

/** The governance queue: pending requests, oldest first, and the latest decisions. Readable by approvers and auditors. */
export async function listRequestQueue(ctx: UserCtx) {
  if (!can(ctx.role, 'identity:remediate')) assertCan(ctx, 'audit:read')
  const [pending, pendingTotal, decided] = await Promise.all([
    db.ownerRequest.findMany({ where: { orgId: ctx.org.id, status: 'pending' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 200, select: SELECT }),
    db.ownerRequest.count({ where: { orgId: ctx.org.id, status: 'pending' } }),
    db.ownerRequest.findMany({
      where: { orgId: ctx.org.id, status: { not: 'pending' } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 30,
      select: SELECT,
    }),
  ])
  const [p, d] = await Promise.all([hydrate(ctx, pending), hydrate(ctx, decided)])
  return { pending: p, pendingTotal, decided: d }
}

/** The signed-in person's own requests, newest first. */
export async function listMyRequests(ctx: UserCtx) {
  assertCan(ctx, 'identity:read')
  const rows = await db.ownerRequest.findMany({
    where: { orgId: ctx.org.id, requestedById: ctx.user.id },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 50,
    select: SELECT,
  })
  return hydrate(ctx, rows)
}

/** Pending requests on one identity, by grant and credential id, for its page. */
export async function pendingRequestsForIdentity(ctx: UserCtx, identityId: string) {
  assertCan(ctx, 'identity:read')
  const rows = await db.ownerRequest.findMany({
    where: { orgId: ctx.org.id, identityId, status: 'pending' },
    select: { id: true, kind: true, grantId: true, credentialId: true, justification: true, createdAt: true },
  })
  const byTarget: Record<string, { id: string; kind: string; justification: string; createdAt: string }> = {}
  for (const r of rows) {
    const key = r.grantId ?? r.credentialId
    if (key) byTarget[key] = { id: r.id, kind: r.kind, justification: r.justification, createdAt: r.createdAt.toISOString() }
  }
  return byTarget
}

/** How many requests wait for a decision (the navigation shows it to approvers). */
export async function countPendingRequests(ctx: UserCtx) {
  if (!can(ctx.role, 'identity:remediate')) return 0
  return db.ownerRequest.count({ where: { orgId: ctx.org.id, status: 'pending' } })
}
