import 'server-only'
import { db, type Tx } from '@/lib/db'
import { ForeignReferenceError, ValidationError } from '@/lib/errors'
import type { OwnershipFields } from '@/lib/ownership/schemas'
import type { SuggestionDirectory, SuggestionIdentity } from '@/lib/ownership/suggestions'

type Client = Tx | typeof db
/** Any context of the organization (a user's, the system's, a job's on behalf of its requester). */
type Scope = { org: { id: string } }

/** Active people of the organization (membership active, account active). */
export async function activeMemberIds(client: Client, ctx: Scope): Promise<Set<string>> {
  const rows = await client.membership.findMany({ where: { orgId: ctx.org.id, status: 'active', user: { active: true } }, select: { userId: true } })
  return new Set(rows.map((r) => r.userId))
}

/**
 * Only active members of this organization may own or back up its identities: a stranger, another
 * organization's user, a removed member or a deactivated person is refused with a message naming the problem.
 */
export async function assertAssignable(client: Client, ctx: Scope, fields: Pick<OwnershipFields, 'ownerId' | 'backupOwnerId' | 'teamId'>) {
  const people = [
    ['ownerId', fields.ownerId],
    ['backupOwnerId', fields.backupOwnerId],
  ].filter((p): p is [string, string] => typeof p[1] === 'string')
  if (people.length) {
    const memberships = await client.membership.findMany({
      where: { orgId: ctx.org.id, userId: { in: people.map((p) => p[1]) } },
      select: { userId: true, status: true, user: { select: { name: true, active: true } } },
    })
    const byUser = new Map(memberships.map((m) => [m.userId, m]))
    for (const [field, userId] of people) {
      const label = field === 'ownerId' ? 'owner' : 'backup owner'
      const m = byUser.get(userId)
      if (!m) throw new ForeignReferenceError(`The ${label} must be a member of this organization.`, { [field]: ['Not a member of this organization.'] })
      if (m.status !== 'active')
        throw new ValidationError(`${m.user.name} is no longer a member of this organization and cannot be ${label}.`, { [field]: ['No longer a member.'] })
      if (!m.user.active) throw new ValidationError(`${m.user.name} is deactivated and cannot be ${label}.`, { [field]: ['Deactivated.'] })
    }
  }
  if (typeof fields.teamId === 'string') {
    const team = await client.team.findFirst({ where: { id: fields.teamId, orgId: ctx.org.id }, select: { id: true } })
    if (!team) throw new ForeignReferenceError('That team does not belong to this organization.', { teamId: ['Unknown team.'] })
  }
}

export async function loadDirectory(client: Client, ctx: Scope): Promise<SuggestionDirectory> {
  const [members, teams] = await Promise.all([
    client.membership.findMany({
      where: { orgId: ctx.org.id, status: 'active', user: { active: true } },
      select: { user: { select: { id: true, name: true, email: true } } },
    }),
    client.team.findMany({ where: { orgId: ctx.org.id }, select: { id: true, slug: true, name: true, leadId: true } }),
  ])
  const membersById = new Map(members.map((m) => [m.user.id, m.user]))
  return {
    membersById,
    membersByEmail: new Map(members.map((m) => [m.user.email.toLowerCase(), { id: m.user.id, name: m.user.name }])),
    teamsBySlug: new Map(teams.map((t) => [t.slug.toLowerCase(), { id: t.id, name: t.name, leadId: t.leadId && membersById.has(t.leadId) ? t.leadId : null }])),
  }
}

/** Tags and credential rotators of a batch of identities, in two queries. */
export async function loadSuggestionInputs<R extends { id: string; name: string; metadata: string }>(
  client: Client,
  ctx: Scope,
  rows: R[],
): Promise<Map<string, SuggestionIdentity>> {
  const ids = rows.map((r) => r.id)
  const [tags, creds] = await Promise.all([
    client.identityTag.findMany({
      where: { orgId: ctx.org.id, identityId: { in: ids }, key: { in: ['owner', 'team'] } },
      select: { identityId: true, key: true, value: true },
    }),
    client.credential.findMany({
      where: { orgId: ctx.org.id, identityId: { in: ids }, rotatedById: { not: null } },
      select: { identityId: true, rotatedById: true },
      orderBy: { lastRotatedAt: 'desc' },
    }),
  ])
  const out = new Map<string, SuggestionIdentity>(rows.map((r) => [r.id, { name: r.name, metadata: r.metadata, tags: [], rotatedByIds: [] }]))
  for (const t of tags) out.get(t.identityId)?.tags.push({ key: t.key, value: t.value })
  for (const c of creds) out.get(c.identityId)?.rotatedByIds.push(c.rotatedById!)
  return out
}
