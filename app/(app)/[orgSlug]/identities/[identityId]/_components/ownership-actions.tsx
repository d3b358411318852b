import { can } from '@/lib/auth/permissions'
import type { UserCtx } from '@/lib/auth/org-context'
import { getOrgSettings } from '@/lib/inventory/queries'
import { listSuggestionsForIdentity } from '@/lib/ownership/mutations'
import { listAssignees, pendingTransferFor } from '@/lib/ownership/queries'
import { AttestButton } from './attest-button'
import { OwnershipDialog } from './ownership-dialog'
import { TransferButton } from './transfer-button'

/** The Ownership card's actions, each shown only to whom it applies (the actions check again). */
export async function OwnershipActions({
  ctx,
  identity,
}: {
  ctx: UserCtx
  identity: { id: string; name: string; ownerId: string | null; backupOwnerId: string | null; teamId: string | null }
}) {
  const canAssign = can(ctx.role, 'identity:assign-owner')
  const isOwner = identity.ownerId === ctx.user.id
  const canAttest = can(ctx.role, 'identity:attest') && (isOwner || identity.backupOwnerId === ctx.user.id)
  const canHandOff = isOwner && can(ctx.role, 'identity:transfer')
  if (!canAssign && !canAttest && !canHandOff) return null
  const [assignees, suggestions, pending, settings] = await Promise.all([
    listAssignees(ctx),
    canAssign ? listSuggestionsForIdentity(ctx, identity.id) : [],
    canHandOff ? pendingTransferFor(ctx, identity.id) : null,
    getOrgSettings(ctx),
  ])
  const others = assignees.people.filter((p) => p.id !== ctx.user.id)
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="ownership-actions">
      {canAttest ? (
        <AttestButton orgSlug={ctx.org.slug} identityId={identity.id} identityName={identity.name} intervalDays={settings.attestationIntervalDays} />
      ) : null}
      {canHandOff ? (
        <TransferButton
          orgSlug={ctx.org.slug}
          identityId={identity.id}
          identityName={identity.name}
          people={others}
          pending={pending ? { id: pending.id, toName: assignees.people.find((p) => p.id === pending.toUserId)?.name ?? 'the new owner' } : null}
        />
      ) : null}
      {canAssign ? (
        <OwnershipDialog
          orgSlug={ctx.org.slug}
          identityId={identity.id}
          current={{ ownerId: identity.ownerId, backupOwnerId: identity.backupOwnerId, teamId: identity.teamId }}
          people={assignees.people}
          teams={assignees.teams}
          suggestions={suggestions.map((s) => ({
            ownerId: s.ownerId,
            teamId: s.teamId,
            ownerName: s.ownerName,
            teamName: s.teamName,
            confidence: s.confidence,
            band: s.band,
            reason: s.reason,
          }))}
        />
      ) : null}
    </div>
  )
}
