import 'server-only'
import { structuredPatch } from 'diff'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { decidePolicy } from '@/lib/policies/current'
import type { PolicyDecision, TargetAttrs } from '@/lib/policies/engine'
import { API_TARGET, identityAttrs, policyRequest, routeTarget } from '@/lib/policies/request'
import type { SimulateRequest } from '@/lib/policies/schemas'

export type PoliciesDto = { text: string; version: number; updatedAt: Date | null; updatedBy: string | null }

export async function getPolicies(ctx: Ctx): Promise<PoliciesDto> {
  assertCan(ctx, 'source:read')
  const row = await db.orgPolicy.findUnique({ where: { orgId: ctx.org.id }, select: { text: true, version: true, updatedAt: true } })
  if (!row) return { text: '', version: 0, updatedAt: null, updatedBy: null }
  const v = await db.orgPolicyVersion.findUnique({ where: { orgId_version: { orgId: ctx.org.id, version: row.version } }, select: { authorLabel: true } })
  return { text: row.text, version: row.version, updatedAt: row.updatedAt, updatedBy: v?.authorLabel ?? null }
}

export type DiffLine = { kind: 'add' | 'del' | 'ctx' | 'hunk'; text: string }
export type PolicyVersionDto = { version: number; summary: string; author: string; createdAt: Date; added: number; removed: number; diff: DiffLine[] }

export const VERSION_PAGE = 30

/** The latest versions, newest first, each with its diff from the version before it. */
export async function listPolicyVersions(ctx: Ctx, limit = VERSION_PAGE): Promise<PolicyVersionDto[]> {
  assertCan(ctx, 'source:read')
  const rows = await db.orgPolicyVersion.findMany({
    where: { orgId: ctx.org.id },
    orderBy: { version: 'desc' },
    take: limit + 1,
    select: { version: true, text: true, summary: true, authorLabel: true, createdAt: true },
  })
  return rows.slice(0, limit).map((r, i) => {
    const prev = rows[i + 1]?.version === r.version - 1 ? rows[i + 1].text : r.version === 1 ? '' : null
    const diff: DiffLine[] = []
    let added = 0
    let removed = 0
    if (prev !== null) {
      for (const h of structuredPatch('policies.cedar', 'policies.cedar', prev, r.text, '', '', { context: 2 }).hunks) {
        diff.push({ kind: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` })
        for (const l of h.lines) {
          const kind = l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx'
          if (kind === 'add') added++
          if (kind === 'del') removed++
          if (!l.startsWith('\\')) diff.push({ kind, text: l.slice(1) })
        }
      }
    }
    return { version: r.version, summary: r.summary, author: r.authorLabel, createdAt: r.createdAt, added, removed, diff }
  })
}

export async function getPolicyVersionText(ctx: Ctx, version: number): Promise<string> {
  assertCan(ctx, 'source:read')
  const row = await db.orgPolicyVersion.findUnique({ where: { orgId_version: { orgId: ctx.org.id, version } }, select: { text: true } })
  if (!row) throw new NotFoundError('Policy version not found')
  return row.text
}

/** The Target a token exchange's audience names: the API, or one of the organization's gateway routes. */
export async function targetOf(orgId: string, audience: string): Promise<TargetAttrs | null> {
  if (!audience.startsWith('gateway:')) return API_TARGET
  // A route's environment is its Resource's (the route is a Resource of the gateway source).
  const route = await db.gatewayRoute.findFirst({
    where: { id: audience.slice(8), orgId },
    select: { name: true, resource: { select: { environment: true } } },
  })
  return route ? routeTarget({ name: route.name, environment: route.resource.environment }) : null
}

export type SimulationDto = PolicyDecision & {
  version: number
  request: { action: string; principal: Record<string, unknown>; resource: Record<string, unknown>; context: Record<string, unknown> }
}

/** The simulator: builds the request as the enforcement point does and asks the same decision function. */
export async function simulatePolicies(ctx: Ctx, input: SimulateRequest): Promise<SimulationDto> {
  assertCan(ctx, 'source:read')
  let principal = input.identity
  if (input.identityId) {
    const row = await db.identity.findFirst({
      where: { id: input.identityId, orgId: ctx.org.id },
      select: { kind: true, environment: true, ownerId: true, privileged: true, name: true },
    })
    if (!row) throw new NotFoundError('Identity not found')
    principal = identityAttrs(row)
  }
  // An API call's target is always the API (as apiRoute asks); the other actions take the chosen one.
  const resource = input.action === 'api_call' ? API_TARGET : await targetOf(ctx.org.id, input.target)
  if (!resource) throw new NotFoundError('Gateway route not found')
  const req = policyRequest(input.action, principal!, resource, { ...input, at: input.at ?? new Date() })
  const d = await decidePolicy(ctx.org.id, req)
  return { ...d, request: req as unknown as SimulationDto['request'] }
}

/** Identities and routes the simulator offers (a bounded list: the first by name). */
export async function simulatorChoices(ctx: Ctx) {
  assertCan(ctx, 'source:read')
  const [identities, routes] = await Promise.all([
    db.identity.findMany({
      where: { orgId: ctx.org.id, status: 'active' },
      orderBy: { name: 'asc' },
      take: 200,
      select: { id: true, name: true, kind: true, environment: true },
    }),
    db.gatewayRoute.findMany({
      where: { orgId: ctx.org.id },
      orderBy: { name: 'asc' },
      take: 200,
      select: { id: true, name: true, resource: { select: { environment: true } } },
    }),
  ])
  return { identities, routes: routes.map((r) => ({ id: r.id, name: r.name, environment: r.resource.environment })) }
}
