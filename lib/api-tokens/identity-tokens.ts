import 'server-only'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { can } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { ConflictError, ForbiddenError, NotFoundError } from '@/lib/errors'
import { displayPrefix } from '@/lib/api-tokens/format'
import { TOKEN_LIST_SELECT } from '@/lib/api-tokens/queries'
import { issueToken, revokeTokenRow, rotateTokenRow } from '@/lib/api-tokens/mutations'
import { scopesOf, tokenStatus, type CreateIdentityTokenInput } from '@/lib/api-tokens/schemas'
import { GATEWAY_CALL_SCOPE } from '@/lib/gateway/schemas'
import { stringsOf } from '@/lib/json'

// Tokens limited to one identity (issue 14, part 1: "an owner for an NHI they own, limited to it"): made on the
// identity's page by its owner, backup owner or an admin; the API lets such a token reach that identity only
// (lib/api/bound.ts). Each is a credential of its identity in the inventory. Gateway tokens are bound too, but are
// the gateway's (lib/gateway): they are neither listed nor changed here.

/** The identity, if this person may manage its tokens: its owner, backup owner, or an admin. Another organization's: not found. */
async function identityForTokens(ctx: UserCtx, identityId: string) {
  assertCan(ctx, 'identity:read')
  const identity = await db.identity.findFirst({
    where: { id: identityId, orgId: ctx.org.id },
    select: { id: true, name: true, status: true, ownerId: true, backupOwnerId: true },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  if (!mayManageIdentityTokens(ctx, identity)) throw new ForbiddenError('Only the owner or backup owner of this identity, or an admin, manages its tokens.')
  return identity
}

export function mayManageIdentityTokens(ctx: UserCtx, identity: { ownerId: string | null; backupOwnerId: string | null }) {
  return can(ctx.role, 'api-token:manage') || identity.ownerId === ctx.user.id || identity.backupOwnerId === ctx.user.id
}

/** The identity's own tokens (not its gateway tokens), newest first; never a hash. */
export async function listIdentityTokens(ctx: UserCtx, identityId: string, now = new Date()) {
  await identityForTokens(ctx, identityId)
  const rows = await db.apiToken.findMany({
    where: { orgId: ctx.org.id, identityId },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: 200,
    select: TOKEN_LIST_SELECT,
  })
  return rows
    .filter((r) => !stringsOf(r.scopes).includes(GATEWAY_CALL_SCOPE))
    .map((r) => ({
      id: r.id,
      name: r.name,
      prefix: displayPrefix(r.prefix),
      scopes: scopesOf(r.scopes),
      allowedIps: stringsOf(r.allowedIps),
      expiresAt: r.expiresAt,
      lastUsedAt: r.lastUsedAt,
      lastUsedIp: r.lastUsedIp,
      createdAt: r.createdAt,
      previousValidUntil: r.previousExpiresAt && r.previousExpiresAt > now && !r.revokedAt ? r.previousExpiresAt : null,
      status: tokenStatus(r, now),
    }))
}
export type IdentityTokenRow = Awaited<ReturnType<typeof listIdentityTokens>>[number]

/** A token that reaches this identity only; its plaintext is returned once, only its hash is stored. */
export async function createIdentityToken(ctx: UserCtx, input: Omit<CreateIdentityTokenInput, 'orgSlug'>, now = new Date()) {
  const identity = await identityForTokens(ctx, input.identityId)
  if (identity.status === 'deleted') throw new ConflictError('This identity is deleted: a token for it would reach nothing.')
  return issueToken(ctx, input, { id: identity.id, name: identity.name }, now)
}

async function identityTokenOrThrow(ctx: UserCtx, identityId: string, tokenId: string) {
  const identity = await identityForTokens(ctx, identityId)
  const row = await db.apiToken.findFirst({
    where: { id: tokenId, orgId: ctx.org.id, identityId: identity.id },
    select: { id: true, name: true, prefix: true, hash: true, scopes: true, expiresAt: true, revokedAt: true },
  })
  if (!row || stringsOf(row.scopes).includes(GATEWAY_CALL_SCOPE)) throw new NotFoundError('Token not found')
  return { identity, row }
}

export async function revokeIdentityToken(ctx: UserCtx, input: { identityId: string; tokenId: string }, now = new Date()) {
  const { identity, row } = await identityTokenOrThrow(ctx, input.identityId, input.tokenId)
  await revokeTokenRow(ctx, row, now, { identityId: identity.id, identity: identity.name })
}

export async function rotateIdentityToken(ctx: UserCtx, input: { identityId: string; tokenId: string; overlapHours: number }, now = new Date()) {
  const { identity, row } = await identityTokenOrThrow(ctx, input.identityId, input.tokenId)
  return rotateTokenRow(ctx, row, input.overlapHours, now, { identityId: identity.id, identity: identity.name })
}
