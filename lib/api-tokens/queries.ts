import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { displayPrefix } from '@/lib/api-tokens/format'
import { scopesOf, tokenStatus } from '@/lib/api-tokens/schemas'
import { GATEWAY_CALL_SCOPE } from '@/lib/gateway/schemas'
import { stringsOf } from '@/lib/json'

/** The organization's tokens for the settings page: never a hash, only the public prefix. */
/** The columns a token list shows (never the hash): Settings' list and an identity's own tokens. */
export const TOKEN_LIST_SELECT = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  allowedIps: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  revokedAt: true,
  createdAt: true,
  previousExpiresAt: true,
} as const

export async function listApiTokens(ctx: UserCtx, now = new Date()) {
  assertCan(ctx, 'api-token:manage')
  const rows = await db.apiToken.findMany({
    where: { orgId: ctx.org.id },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: 500,
    select: { ...TOKEN_LIST_SELECT, createdById: true, identityId: true },
  })
  const identityIds = [...new Set(rows.map((r) => r.identityId).filter((x): x is string => !!x))]
  const identities = identityIds.length
    ? await db.identity.findMany({ where: { orgId: ctx.org.id, id: { in: identityIds } }, select: { id: true, name: true } })
    : []
  const creators = await db.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.createdById).filter((x): x is string => !!x))] } },
    select: { id: true, name: true },
  })
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: displayPrefix(r.prefix),
    scopes: scopesOf(r.scopes),
    // a gateway token calls routes through the gateway as this identity (and nothing in the API)
    gateway: stringsOf(r.scopes).includes(GATEWAY_CALL_SCOPE),
    identity: r.identityId ? (identities.find((i) => i.id === r.identityId) ?? { id: r.identityId, name: 'deleted identity' }) : null,
    allowedIps: stringsOf(r.allowedIps),
    expiresAt: r.expiresAt,
    lastUsedAt: r.lastUsedAt,
    lastUsedIp: r.lastUsedIp,
    createdAt: r.createdAt,
    createdBy: creators.find((u) => u.id === r.createdById)?.name ?? null,
    // the previous secret still works until then (a rotation's overlap)
    previousValidUntil: r.previousExpiresAt && r.previousExpiresAt > now && !r.revokedAt ? r.previousExpiresAt : null,
    status: tokenStatus(r, now),
  }))
}
export type ApiTokenRow = Awaited<ReturnType<typeof listApiTokens>>[number]
