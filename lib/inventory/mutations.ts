import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { randomUUID } from 'node:crypto'
import { auditTarget, recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, NotFoundError } from '@/lib/errors'
import { settleFindings } from '@/lib/findings/recompute'
import { rollupIdentities } from '@/lib/inventory/rollup'
import type { CreateIdentityInput, UpdateIdentityInput } from '@/lib/inventory/schemas'
import { applyOwnership } from '@/lib/ownership/apply'
import { assertAssignable } from '@/lib/ownership/directory'
import { prismaSql } from '@/lib/sql/prisma'

/** The source that holds identities entered by hand or through the API: one per organization, made on first use. */
export const MANUAL_SOURCE = { type: 'api', name: 'Manual and API entries' } as const

/** The organization's source for identities added by hand and through the API (made on first use, audited). */
export async function manualSource(tx: Tx, ctx: Ctx) {
  const found = await tx.source.findFirst({
    where: { orgId: ctx.org.id, type: MANUAL_SOURCE.type },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true },
  })
  if (found) return found
  const source = await tx.source.create({ data: { orgId: ctx.org.id, ...MANUAL_SOURCE }, select: { id: true, name: true } })
  await recordAudit(tx, ctx, {
    action: 'source.create',
    ...auditTarget('source', source),
    details: { type: MANUAL_SOURCE.type, reason: 'first manual identity' },
  })
  return source
}

const searchText = (name: string, externalId: string) => `${name} ${externalId}`.toLowerCase()
type OwnerFields = { ownerId?: string | null; backupOwnerId?: string | null }

/** Owners change one way, through the ownership module (its permission, audit row, findings and the new owner's notice). */
async function changeOwners(tx: Tx, ctx: Ctx, identity: { id: string; name: string }, fields: OwnerFields) {
  if (fields.ownerId === undefined && fields.backupOwnerId === undefined) return 0
  assertCan(ctx, 'identity:assign-owner')
  await assertAssignable(tx, ctx, fields)
  const row = await tx.identity.findFirstOrThrow({
    where: { id: identity.id, orgId: ctx.org.id },
    select: { id: true, name: true, ownerId: true, backupOwnerId: true, teamId: true },
  })
  const { changed } = await applyOwnership(tx, ctx, [row], () => ({ ...fields, origin: 'api' }), { action: 'identity.assign-owner' })
  return changed
}

/** Adds an identity to the manual source; its findings and risk score are settled in the same transaction. */
export async function createIdentity(ctx: Ctx, input: CreateIdentityInput) {
  assertCan(ctx, 'source:manage')
  return db.$transaction(async (tx) => {
    const source = await manualSource(tx, ctx)
    const externalId = input.externalId ?? `manual:${randomUUID()}`
    const clash = await tx.identity.findFirst({ where: { orgId: ctx.org.id, sourceId: source.id, externalId }, select: { id: true } })
    if (clash) throw new ConflictError(`A manual identity with the external id “${externalId}” already exists.`)
    const now = new Date()
    const identity = await tx.identity.create({
      data: {
        orgId: ctx.org.id,
        sourceId: source.id,
        externalId,
        name: input.name,
        searchText: searchText(input.name, externalId),
        kind: input.kind,
        environment: input.environment,
        description: input.description ?? null,
        createdAt: now,
        // Nobody reports its use: an empty last-used date means unknown, not never used.
        usageReported: false,
      },
      select: { id: true, name: true },
    })
    if (input.tags?.length) await tx.identityTag.createMany({ data: input.tags.map((t) => ({ orgId: ctx.org.id, identityId: identity.id, ...t })) })
    await rollupIdentities(prismaSql(tx), [identity.id])
    await recordAudit(tx, ctx, {
      action: 'identity.create',
      ...auditTarget('identity', identity),
      details: { sourceId: source.id, externalId, kind: input.kind, environment: input.environment },
    })
    // Unowned until the owners are set (which settles the owner findings again); the other rules run now.
    await settleFindings(tx, ctx.org.id, [identity.id])
    await changeOwners(tx, ctx, identity, { ownerId: input.ownerId, backupOwnerId: input.backupOwnerId })
    await emitEvent(tx, ctx.org.id, 'identity.created', {
      identity: { id: identity.id, name: identity.name, kind: input.kind, environment: input.environment, sourceId: source.id, externalId },
    })
    return identity
  })
}

async function findIdentity(tx: Tx, ctx: Ctx, id: string) {
  // Another organization's identity is indistinguishable from one that does not exist.
  const row = await tx.identity.findFirst({
    where: { id, orgId: ctx.org.id },
    select: {
      id: true,
      name: true,
      kind: true,
      environment: true,
      description: true,
      externalId: true,
      status: true,
      ownerId: true,
      backupOwnerId: true,
      tags: { select: { key: true, value: true }, orderBy: { key: 'asc' } },
    },
  })
  if (!row) throw new NotFoundError('Identity not found')
  return row
}

/** Changes the fields given; an owner must be an active member. Audited with each changed field's old and new value. */
export async function updateIdentity(ctx: Ctx, id: string, input: UpdateIdentityInput) {
  assertCan(ctx, 'source:manage')
  return db.$transaction(async (tx) => {
    const row = await findIdentity(tx, ctx, id)
    if (row.status === 'deleted') throw new ConflictError('This identity is deleted: it can no longer be changed.')
    const ownersChanged = await changeOwners(tx, ctx, row, { ownerId: input.ownerId, backupOwnerId: input.backupOwnerId })
    const now = new Date()
    const next = {
      name: input.name ?? row.name,
      kind: input.kind ?? row.kind,
      environment: input.environment ?? row.environment,
      description: input.description !== undefined ? input.description : row.description,
    }
    const from: Record<string, unknown> = {}
    const to: Record<string, unknown> = {}
    for (const k of Object.keys(next) as (keyof typeof next)[]) {
      if (next[k] !== row[k]) {
        from[k] = row[k]
        to[k] = next[k]
      }
    }
    const tagsChanged = input.tags !== undefined && JSON.stringify([...input.tags].sort((a, b) => a.key.localeCompare(b.key))) !== JSON.stringify(row.tags)
    if (tagsChanged) {
      from.tags = row.tags
      to.tags = input.tags
      await tx.identityTag.deleteMany({ where: { orgId: ctx.org.id, identityId: row.id } })
      await tx.identityTag.createMany({ data: input.tags!.map((t) => ({ orgId: ctx.org.id, identityId: row.id, ...t })) })
    }
    if (Object.keys(to).length === 0) return { id: row.id, changed: ownersChanged > 0 }
    await tx.identity.update({
      where: { id: row.id, orgId: ctx.org.id },
      data: { ...next, searchText: searchText(next.name, row.externalId), updatedAt: now },
    })
    await settleFindings(tx, ctx.org.id, [row.id])
    await recordAudit(tx, ctx, { action: 'identity.update', ...auditTarget('identity', { id: row.id, name: next.name }), details: { from, to } })
    return { id: row.id, changed: true }
  })
}

/** Marks the identity deleted (its history stays, as when a source no longer has it); deleting it again changes nothing. */
export async function deleteIdentity(ctx: Ctx, id: string) {
  assertCan(ctx, 'source:manage')
  return db.$transaction(async (tx) => {
    const row = await findIdentity(tx, ctx, id)
    if (row.status === 'deleted') return { id: row.id, changed: false }
    await tx.identity.update({ where: { id: row.id, orgId: ctx.org.id }, data: { status: 'deleted' } })
    await settleFindings(tx, ctx.org.id, [row.id])
    await recordAudit(tx, ctx, { action: 'identity.delete', ...auditTarget('identity', row), details: { from: row.status } })
    await emitEvent(tx, ctx.org.id, 'identity.deleted', {
      identity: { id: row.id, name: row.name, kind: row.kind, externalId: row.externalId },
      previousStatus: row.status,
    })
    return { id: row.id, changed: true }
  })
}
