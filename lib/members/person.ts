/** Whether a person shown as an owner or reviewer is still around: deactivated (cannot sign in) or left this organization (membership removed or never held). */
export type PersonStatus = 'active' | 'deactivated' | 'left'

/** A Prisma select for a person with what personStatus needs, fetched with the rows that name them (no query per row). */
export function personSelect(orgId: string) {
  return { id: true, name: true, active: true, memberships: { where: { orgId }, select: { status: true } } } as const
}

export function personStatus(p: { active: boolean; memberships: { status: string }[] }): PersonStatus {
  if (!p.active) return 'deactivated'
  return p.memberships.some((m) => m.status === 'active') ? 'active' : 'left'
}
