import 'server-only'
import { checkpointStatement } from '@/lib/audit/chain'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { orgSigner } from '@/lib/keys/org-keys'

export type CheckpointView = { id: string; seq: number; headHash: string; createdAt: Date; keyId: string; signature: string }

const VIEW = { id: true, seq: true, headHash: true, createdAt: true, keyId: true, signature: true } as const

/**
 * Signs the chain's current head with the organization's key and keeps the checkpoint; its audit row (the next event)
 * carries the signature too. `onlyIfChanged` (the scheduled run) skips when nothing but the last checkpoint's own row
 * was recorded since, so a quiet organization does not gain a checkpoint row every day.
 */
export async function createCheckpoint(ctx: Ctx, opts: { onlyIfChanged?: boolean } = {}): Promise<CheckpointView | null> {
  assertCan(ctx, 'audit:checkpoint')
  const signer = await orgSigner(ctx)
  return db.$transaction(async (tx) => {
    // Locks the head row (PostgreSQL) so no event is appended between reading the head and signing it.
    const head = await tx.organization.update({ where: { id: ctx.org.id }, data: { auditSeq: { increment: 0 } }, select: { auditSeq: true, auditHash: true } })
    if (head.auditSeq === 0) return null
    if (opts.onlyIfChanged) {
      const last = await tx.auditCheckpoint.findFirst({ where: { orgId: ctx.org.id }, orderBy: { seq: 'desc' }, select: { seq: true } })
      if (last && head.auditSeq <= last.seq + 1) return null
    }
    const createdAt = new Date()
    const statement = checkpointStatement({ orgId: ctx.org.id, seq: head.auditSeq, headHash: head.auditHash, createdAt })
    const signature = signer.sign(statement).toString('base64')
    const cp = await tx.auditCheckpoint.create({
      data: { orgId: ctx.org.id, seq: head.auditSeq, headHash: head.auditHash, createdAt, keyId: signer.kid, signature },
      select: VIEW,
    })
    await recordAudit(tx, ctx, {
      action: 'audit.checkpoint',
      targetType: 'audit-checkpoint',
      targetId: cp.id,
      targetLabel: `Checkpoint at event ${cp.seq}`,
      details: { checkpointId: cp.id, seq: cp.seq, headHash: cp.headHash, keyId: cp.keyId, signature, at: createdAt.toISOString() },
    })
    return cp
  })
}

/**
 * Every checkpoint of the organization, oldest first, each with the exact statement its signature covers, for the
 * evidence pack: an auditor checks each signature with openssl and that the pack's audit log passes through each head.
 */
export async function listCheckpointsForExport(ctx: Ctx) {
  assertCan(ctx, 'audit:read')
  const rows = await db.auditCheckpoint.findMany({ where: { orgId: ctx.org.id }, orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }], select: VIEW })
  return rows.map((cp) => ({
    seq: cp.seq,
    headHash: cp.headHash,
    at: cp.createdAt.toISOString(),
    keyId: cp.keyId,
    signatureBase64: cp.signature,
    statement: checkpointStatement({ orgId: ctx.org.id, ...cp }),
  }))
}

/** The newest checkpoint, for the audit page. */
export async function latestCheckpoint(ctx: UserCtx): Promise<CheckpointView | null> {
  assertCan(ctx, 'audit:read')
  return db.auditCheckpoint.findFirst({ where: { orgId: ctx.org.id }, orderBy: [{ seq: 'desc' }, { createdAt: 'desc' }], select: VIEW })
}
