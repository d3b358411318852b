import 'server-only'
import type { BlockList } from 'node:net'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ConflictError, NotFoundError, ValidationError } from '@/lib/errors'
import { addressList } from '@/lib/api-tokens/allow-list'
import { dropCachedTokens } from '@/lib/api-tokens/cache'
import { displayPrefix, newToken } from '@/lib/api-tokens/format'
import { mirrorNewToken, mirrorRevokedToken, mirrorRotatedToken } from '@/lib/api-tokens/inventory'
import { tokenStatus, type CreateApiTokenInput } from '@/lib/api-tokens/schemas'

const DAY = 86_400_000

/** A BlockList of the CIDRs; throws ValidationError for one Node cannot read. */
export function allowList(cidrs: readonly string[]): BlockList {
  const { list, bad } = addressList(cidrs)
  if (bad.length) throw new ValidationError('An address range is not valid.', { allowedIps: [`“${bad[0]}” is not an address or range.`] })
  return list
}

/** Creates a token and returns its plaintext once; only its hash is stored, and neither enters the audit row. */
export async function createApiToken(ctx: UserCtx, input: Omit<CreateApiTokenInput, 'orgSlug'>, now = new Date()) {
  assertCan(ctx, 'api-token:manage')
  return issueToken(ctx, input, null, now)
}

type TokenInput = { name: string; scopes: readonly string[]; expiresInDays: number; allowedIps: string[] }

/**
 * The one way a person's token is made (Settings, or an owner's token limited to one identity): the row with the
 * secret's hash, its inventory mirror (its own identity, or a credential of the identity it is limited to) and the
 * audit row, in one transaction. The plaintext is returned once.
 */
export async function issueToken(ctx: UserCtx, input: TokenInput, limitedTo: { id: string; name: string } | null, now = new Date()) {
  allowList(input.allowedIps)
  const t = newToken()
  const expiresAt = new Date(now.getTime() + input.expiresInDays * DAY)
  return db.$transaction(async (tx) => {
    const row = await tx.apiToken.create({
      data: {
        orgId: ctx.org.id,
        name: input.name,
        prefix: t.prefix,
        hash: t.hash,
        scopes: JSON.stringify(input.scopes),
        allowedIps: JSON.stringify(input.allowedIps),
        expiresAt,
        createdById: ctx.user.id,
        identityId: limitedTo?.id ?? null,
      },
      select: { id: true },
    })
    // The token is an NHI of the inventory from now on (its owner: whoever created it), or a credential of its identity.
    const identityId = await mirrorNewToken(tx, {
      id: row.id,
      orgId: ctx.org.id,
      name: input.name,
      scopes: input.scopes,
      expiresAt,
      createdAt: now,
      plaintext: t.token,
      identityId: limitedTo?.id ?? null,
      createdById: ctx.user.id,
    })
    await recordAudit(tx, ctx, {
      action: 'api-token.create',
      targetType: 'api-token',
      targetId: row.id,
      targetLabel: input.name,
      details: {
        prefix: displayPrefix(t.prefix),
        scopes: input.scopes,
        expiresAt: expiresAt.toISOString(),
        allowedIps: input.allowedIps,
        identityId,
        ...(limitedTo ? { identity: limitedTo.name, limitedToIdentity: true } : {}),
      },
    })
    return { id: row.id, token: t.token, prefix: displayPrefix(t.prefix), expiresAt, identityId }
  })
}

async function tokenOrThrow(ctx: UserCtx, tokenId: string) {
  const row = await db.apiToken.findFirst({
    where: { id: tokenId, orgId: ctx.org.id },
    select: { id: true, name: true, prefix: true, hash: true, expiresAt: true, revokedAt: true },
  })
  if (!row) throw new NotFoundError('Token not found')
  return row
}

export async function revokeApiToken(ctx: UserCtx, input: { tokenId: string }, now = new Date()) {
  assertCan(ctx, 'api-token:manage')
  await revokeTokenRow(ctx, await tokenOrThrow(ctx, input.tokenId), now)
}

type TokenRow = Awaited<ReturnType<typeof tokenOrThrow>>

/** Revokes a token this person may manage (checked by the caller), with its inventory entry and audit row; `about` adds to the audit details. */
export async function revokeTokenRow(ctx: UserCtx, row: TokenRow, now: Date, about: Record<string, unknown> = {}) {
  if (row.revokedAt) throw new ConflictError('This token is already revoked.')
  await db.$transaction(async (tx) => {
    await tx.apiToken.update({ where: { id: row.id, orgId: ctx.org.id }, data: { revokedAt: now, previousHash: null, previousExpiresAt: null } })
    await mirrorRevokedToken(tx, ctx.org.id, row.id, now)
    await recordAudit(tx, ctx, {
      action: 'api-token.revoke',
      targetType: 'api-token',
      targetId: row.id,
      targetLabel: row.name,
      details: { prefix: displayPrefix(row.prefix), ...about },
    })
  })
  // Refused from this process's next call (other processes: within TOKEN_CACHE_MS, lib/api-tokens/cache.ts).
  dropCachedTokens()
}

/** A new secret for the same token; the old one keeps working for overlapHours (0: stops at once), so callers can switch. */
export async function rotateApiToken(ctx: UserCtx, input: { tokenId: string; overlapHours: number }, now = new Date()) {
  assertCan(ctx, 'api-token:manage')
  return rotateTokenRow(ctx, await tokenOrThrow(ctx, input.tokenId), input.overlapHours, now)
}

/** Rotates a token this person may manage (checked by the caller), with its inventory entry and audit row. */
export async function rotateTokenRow(ctx: UserCtx, row: TokenRow, overlapHours: number, now: Date, about: Record<string, unknown> = {}) {
  if (tokenStatus(row, now) !== 'active') throw new ConflictError('Only an active token can be rotated; create a new one instead.')
  const t = newToken()
  const previousExpiresAt = overlapHours > 0 ? new Date(Math.min(now.getTime() + overlapHours * 3_600_000, row.expiresAt.getTime())) : null
  const rotated = await db.$transaction(async (tx) => {
    await tx.apiToken.update({
      where: { id: row.id, orgId: ctx.org.id },
      data: { prefix: t.prefix, hash: t.hash, previousHash: previousExpiresAt ? row.hash : null, previousExpiresAt, rotatedAt: now },
    })
    await mirrorRotatedToken(tx, ctx.org.id, row.id, t.token, now)
    await recordAudit(tx, ctx, {
      action: 'api-token.rotate',
      targetType: 'api-token',
      targetId: row.id,
      targetLabel: row.name,
      details: {
        prefix: displayPrefix(t.prefix),
        previousPrefix: displayPrefix(row.prefix),
        previousValidUntil: previousExpiresAt?.toISOString() ?? null,
        ...about,
      },
    })
    return { id: row.id, token: t.token, prefix: displayPrefix(t.prefix), previousValidUntil: previousExpiresAt }
  })
  dropCachedTokens()
  return rotated
}
