import 'server-only'
import type { Tx } from '@/lib/db'
import { ForeignReferenceError } from '@/lib/errors'
import type { PrincipalInput } from '@/lib/principals/schemas'

/** Checks that a principal belongs to this organization: another organization's id is refused as unknown. */
export async function principalOf(tx: Tx, orgId: string, input: PrincipalInput) {
  if (input.principalType === 'identity') {
    const identity = await tx.identity.findFirst({ where: { id: input.identityId!, orgId, status: { not: 'deleted' } }, select: { id: true, name: true } })
    if (!identity) throw new ForeignReferenceError('That identity is not in this organization.', { identityId: ['Choose an identity of this organization.'] })
    return { data: { identityId: identity.id }, label: identity.name }
  }
  if (input.principalType === 'team') {
    const team = await tx.team.findFirst({ where: { id: input.teamId!, orgId }, select: { id: true, name: true } })
    if (!team) throw new ForeignReferenceError('That team is not in this organization.', { teamId: ['Choose a team of this organization.'] })
    return { data: { teamId: team.id }, label: `team ${team.name}` }
  }
  return { data: { tagKey: input.tagKey!, tagValue: input.tagValue ?? '' }, label: `tag ${input.tagKey}=${input.tagValue ?? ''}` }
}

/** Whether the principal reaches this identity now (its team or tags as they are today). */
export async function principalReaches(
  tx: Pick<Tx, 'identityTag'>,
  orgId: string,
  p: { principalType: string | null; identityId: string | null; teamId: string | null; tagKey: string | null; tagValue: string | null },
  identity: { id: string; teamId: string | null },
): Promise<boolean> {
  if (p.principalType === 'identity') return p.identityId === identity.id
  if (p.principalType === 'team') return !!p.teamId && p.teamId === identity.teamId
  if (p.principalType === 'tag')
    return !!(await tx.identityTag.findFirst({
      where: { orgId, identityId: identity.id, key: p.tagKey ?? '', value: p.tagValue ?? '' },
      select: { identityId: true },
    }))
  return false
}
