import 'server-only'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'

/** What a principal can be chosen from: active identities by name (the first 2,000), teams, and tags in use (500). */
export async function principalOptions(ctx: Ctx) {
  assertCan(ctx, 'source:read')
  const orgId = ctx.org.id
  const [identities, teams, tags] = await Promise.all([
    db.identity.findMany({
      where: { orgId, status: 'active' },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: 2000,
      select: { id: true, name: true, kind: true },
    }),
    db.team.findMany({ where: { orgId }, orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db.identityTag.groupBy({ by: ['key', 'value'], where: { orgId }, orderBy: [{ key: 'asc' }, { value: 'asc' }], take: 500 }),
  ])
  return { identities, teams, tags: tags.map((t) => ({ key: t.key, value: t.value })) }
}
