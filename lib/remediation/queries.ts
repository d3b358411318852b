import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { canAct, resolveConnector, type ConnectorMode } from '@/lib/connectors/registry'
import type { ActionKind } from '@/lib/connectors/types'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import { bulkTargets, openKeyOf, type RemediationTarget } from '@/lib/remediation/schemas'

const DAY = 86_400_000
const CHUNK = 5000

export type RemediationDto = {
  id: string
  kind: string
  status: string
  simulated: boolean
  justification: string
  instructions: string | null
  detail: string | null
  lastError: string | null
  grantId: string | null
  credentialId: string | null
  soakUntil: string | null
  createdAt: string
  completedAt: string | null
  job: { id: string; status: string; attempts: number; maxAttempts: number; lastError: string | null } | null
}

/** How the identity's source acts (live, simulated, manual) and every remediation on it, newest first. */
export async function getIdentityRemediations(ctx: UserCtx, identityId: string) {
  assertCan(ctx, 'identity:read')
  const identity = await db.identity.findFirst({
    where: { id: identityId, orgId: ctx.org.id },
    select: { id: true, status: true, source: { select: { name: true, type: true, config: true, secretRef: true } } },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  const rows = await db.remediation.findMany({ where: { orgId: ctx.org.id, identityId }, orderBy: { createdAt: 'desc' }, take: 300 })
  const jobIds = rows.map((r) => r.jobId).filter((x): x is string => !!x)
  const jobs = jobIds.length
    ? await db.job.findMany({
        where: { orgId: ctx.org.id, id: { in: jobIds } },
        select: { id: true, status: true, attempts: true, maxAttempts: true, lastError: true },
      })
    : []
  const jobById = new Map(jobs.map((j) => [j.id, j]))
  const list: RemediationDto[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    simulated: r.simulated,
    justification: r.justification,
    instructions: r.instructions,
    detail: r.detail,
    lastError: r.lastError,
    grantId: r.grantId,
    credentialId: r.credentialId,
    soakUntil: r.soakUntil?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
    job: r.jobId ? (jobById.get(r.jobId) ?? null) : null,
  }))
  const { connector, mode } = resolveConnector(identity.source)
  const supports = Object.fromEntries(
    (['revoke_grant', 'disable_identity', 'enable_identity', 'revoke_credential', 'rotate_credential'] as ActionKind[]).map((k) => [k, canAct(connector, k)]),
  ) as Record<ActionKind, boolean>
  const latestByGrant: Record<string, RemediationDto> = {}
  const latestByCredential: Record<string, RemediationDto> = {}
  for (const r of list) {
    if (r.grantId && !latestByGrant[r.grantId]) latestByGrant[r.grantId] = r
    if (r.credentialId && !latestByCredential[r.credentialId]) latestByCredential[r.credentialId] = r
  }
  const identityLevel = list.filter((r) => !r.grantId && !r.credentialId)
  const active = list.some((r) => r.status === 'pending')
  return { mode, sourceName: identity.source.name, supports, list, latestByGrant, latestByCredential, identityLevel, active }
}

export type RemediationPreview = {
  total: number
  /** used within the last 7 days: revoking them may break something that runs today */
  recentlyUsed: number
  privileged: number
  alreadyRevoked: number
  alreadyPending: number
  byMode: Record<ConnectorMode, number>
  identities: number
}

/**
 * What a request would do, without doing it: counts for the confirmation ("you are about to revoke 37
 * credentials; 4 were used in the last 7 days"). Works on any list of targets (campaigns pass theirs).
 */
export async function previewRemediation(ctx: UserCtx, targets: RemediationTarget[], now = new Date()): Promise<RemediationPreview> {
  assertCan(ctx, 'identity:remediate')
  const orgId = ctx.org.id
  const since = now.getTime() - 7 * DAY
  const preview: RemediationPreview = {
    total: targets.length,
    recentlyUsed: 0,
    privileged: 0,
    alreadyRevoked: 0,
    alreadyPending: 0,
    byMode: { live: 0, simulated: 0, manual: 0 },
    identities: 0,
  }
  const identityIds = [...new Set(targets.map((t) => t.identityId))]
  const grantIds = targets.flatMap((t) => (t.kind === 'revoke_grant' && t.grantId ? [t.grantId] : []))
  const credIds = targets.flatMap((t) => (t.kind.endsWith('_credential') && t.credentialId ? [t.credentialId] : []))
  const modeOf = new Map<string, ConnectorMode>()
  const identityLastUsed = new Map<string, Date | null>()
  for (let i = 0; i < identityIds.length; i += CHUNK) {
    const rows = await db.identity.findMany({
      where: { orgId, id: { in: identityIds.slice(i, i + CHUNK) } },
      select: { id: true, lastUsedAt: true, privileged: true, source: { select: { type: true, config: true, secretRef: true } } },
    })
    for (const r of rows) {
      modeOf.set(r.id, resolveConnector(r.source).mode)
      identityLastUsed.set(r.id, r.lastUsedAt)
    }
  }
  preview.identities = modeOf.size
  const grants = new Map<string, { identityId: string; status: string; privileged: boolean; lastUsedAt: Date | null }>()
  for (let i = 0; i < grantIds.length; i += CHUNK) {
    for (const g of await db.grant.findMany({
      where: { orgId, id: { in: grantIds.slice(i, i + CHUNK) } },
      select: { id: true, identityId: true, status: true, privileged: true, lastUsedAt: true },
    }))
      grants.set(g.id, g)
  }
  const creds = new Map<string, { identityId: string; status: string; lastUsedAt: Date | null }>()
  for (let i = 0; i < credIds.length; i += CHUNK) {
    for (const c of await db.credential.findMany({
      where: { orgId, id: { in: credIds.slice(i, i + CHUNK) } },
      select: { id: true, identityId: true, status: true, lastUsedAt: true },
    }))
      creds.set(c.id, c)
  }
  const keys = targets.map(openKeyOf)
  const open = new Set<string>()
  for (let i = 0; i < keys.length; i += CHUNK) {
    for (const r of await db.remediation.findMany({ where: { orgId, openKey: { in: keys.slice(i, i + CHUNK) } }, select: { openKey: true } }))
      open.add(r.openKey!)
  }
  for (const t of targets) {
    const mode = modeOf.get(t.identityId)
    if (!mode) throw new NotFoundError('Identity not found')
    let lastUsed: Date | null | undefined
    if (t.grantId) {
      const g = grants.get(t.grantId)
      if (!g || g.identityId !== t.identityId) throw new NotFoundError('Grant not found')
      if (g.status === 'revoked') preview.alreadyRevoked++
      if (g.privileged) preview.privileged++
      lastUsed = g.lastUsedAt
    } else if (t.credentialId) {
      const c = creds.get(t.credentialId)
      if (!c || c.identityId !== t.identityId) throw new NotFoundError('Credential not found')
      if (c.status === 'revoked') preview.alreadyRevoked++
      lastUsed = c.lastUsedAt
    } else {
      lastUsed = identityLastUsed.get(t.identityId)
    }
    if (lastUsed && lastUsed.getTime() >= since) preview.recentlyUsed++
    if (open.has(openKeyOf(t))) preview.alreadyPending++
    preview.byMode[mode]++
  }
  return preview
}

export function previewBulkRemediation(ctx: UserCtx, input: { identityId: string; grantIds: string[]; credentialIds: string[] }) {
  return previewRemediation(ctx, bulkTargets(input))
}

/** Manual tasks waiting for a person, oldest first. */
export async function listManualTasks(ctx: UserCtx, take = 100) {
  assertCan(ctx, 'job:read')
  const where = { orgId: ctx.org.id, status: 'manual' }
  const [rows, total] = await Promise.all([
    db.remediation.findMany({
      where,
      orderBy: { createdAt: 'asc' },
      take,
      select: {
        id: true,
        kind: true,
        instructions: true,
        detail: true,
        justification: true,
        createdAt: true,
        identityId: true,
        identity: { select: { name: true, source: { select: { name: true } } } },
      },
    }),
    db.remediation.count({ where }),
  ])
  return { rows, total }
}
