import { cache } from 'react'
import type { UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { getOrgSettings, type getIdentityOrThrow } from '@/lib/inventory/queries'
import { getIdentityRemediations } from '@/lib/remediation/queries'
import { pendingRequestsForIdentity } from '@/lib/requests/queries'
import { CredentialsTable } from './credentials-table'
import { GrantsTable } from './grants-table'
import { IdentityRemediationActions } from './identity-actions'
import { RemediationHistory } from './remediation-history'
import type { CredentialRow, GrantRow, RemediationContext } from './types'

// Server components the identity page places; each reads the identity's remediations once per request.
const load = cache((ctx: UserCtx, identityId: string) => getIdentityRemediations(ctx, identityId))
const loadRequests = cache((ctx: UserCtx, identityId: string) => pendingRequestsForIdentity(ctx, identityId))
const loadSettings = cache((ctx: UserCtx) => getOrgSettings(ctx))

/**
 * The page reads the remediations before the grants and credentials they change: a job committing between the two
 * reads then shows its effect beside its state. The other way round, a page could show "applied" beside a grant still
 * active, and, nothing being pending, never refresh.
 */
export const readRemediationsFirst = (ctx: UserCtx, identityId: string) => load(ctx, identityId).catch(() => null)

type IdentityLike = { id: string; name: string; status: string; ownerId: string | null; backupOwnerId: string | null; privileged: boolean }
// The rows as the identity page's query reads them: one shape, typed from that query.
type IdentityDetail = Awaited<ReturnType<typeof getIdentityOrThrow>>
type GrantLike = IdentityDetail['grants'][number]
type CredentialLike = IdentityDetail['identity']['credentials'][number]

async function context(ctx: UserCtx, identity: IdentityLike, now: number): Promise<RemediationContext> {
  const [r, pendingRequests, settings] = await Promise.all([load(ctx, identity.id), loadRequests(ctx, identity.id), loadSettings(ctx)])
  const canRemediate = can(ctx.role, 'identity:remediate')
  const owns = identity.ownerId === ctx.user.id || identity.backupOwnerId === ctx.user.id
  return {
    orgSlug: ctx.org.slug,
    identityId: identity.id,
    identityName: identity.name,
    canRemediate,
    mode: r.mode,
    sourceName: r.sourceName,
    now,
    canRequest: !canRemediate && owns && can(ctx.role, 'identity:attest'),
    ownersActDirectly: settings.ownersActDirectly,
    identityPrivileged: identity.privileged,
    pendingRequests,
  }
}

export async function RemediationHeader({ ctx, identity, now }: { ctx: UserCtx; identity: IdentityLike; now: number }) {
  const [c, r, settings] = await Promise.all([context(ctx, identity, now), load(ctx, identity.id), loadSettings(ctx)])
  return <IdentityRemediationActions c={c} status={identity.status} identityLevel={r.identityLevel} active={r.active} soakDays={settings.quarantineSoakDays} />
}

export async function GrantsSection({ ctx, identity, grants, now }: { ctx: UserCtx; identity: IdentityLike; grants: GrantLike[]; now: number }) {
  const [c, r] = await Promise.all([context(ctx, identity, now), load(ctx, identity.id)])
  const rows: GrantRow[] = grants.map((g) => ({
    id: g.id,
    permission: g.entitlement.name,
    privileged: g.privileged,
    resource: g.entitlement.resource.name,
    resourceType: g.entitlement.resource.type,
    createdAt: g.createdAt.toISOString(),
    lastUsedAt: g.lastUsedAt?.toISOString() ?? null,
    usageReported: g.usageReported,
    status: g.status,
  }))
  return <GrantsTable c={c} grants={rows} latest={r.latestByGrant} />
}

export async function CredentialsSection({
  ctx,
  identity,
  credentials,
  now,
}: {
  ctx: UserCtx
  identity: IdentityLike
  credentials: CredentialLike[]
  now: number
}) {
  const [c, r] = await Promise.all([context(ctx, identity, now), load(ctx, identity.id)])
  // Dates become strings for the client table; the campaign snapshot's mapping shares field names, not purpose.
  const rows: CredentialRow[] = credentials.map((x) => ({
    id: x.id,
    kind: x.kind,
    label: x.label,
    fingerprint: x.fingerprint,
    createdAt: x.createdAt.toISOString(),
    lastRotatedAt: x.lastRotatedAt?.toISOString() ?? null,
    expiresAt: x.expiresAt?.toISOString() ?? null,
    lastUsedAt: x.lastUsedAt?.toISOString() ?? null,
    usageReported: x.usageReported,
    status: x.status,
  }))
  // Rotation needs a source that can deliver the new secret somewhere; a manual source turns it into a task.
  return <CredentialsTable c={c} credentials={rows} latest={r.latestByCredential} canRotate />
}

export async function RemediationHistorySection({ ctx, identityId }: { ctx: UserCtx; identityId: string }) {
  const r = await load(ctx, identityId)
  return <RemediationHistory list={r.list} />
}
