import 'server-only'
import type { Actor } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { auditHash } from '@/lib/audit/chain'

export type AuditEntry = {
  action: string
  targetType?: string
  targetId?: string
  targetLabel?: string
  outcome?: 'success' | 'denied' | 'failure'
  justification?: string | null
  /** Never secrets: callers pass ids, counts and names only. */
  details?: Record<string, unknown>
}

type AuditCtx = { org: { id: string }; actor: Actor }

/**
 * Appends an event to the organization's hash chain inside the caller's transaction, so the change and
 * its audit row commit or roll back together. Incrementing the organization's head row first takes a
 * row lock on PostgreSQL, which serializes concurrent writers of one organization's chain.
 */
export async function recordAudit(tx: Tx, ctx: AuditCtx, entry: AuditEntry) {
  const head = await tx.organization.update({
    where: { id: ctx.org.id },
    data: { auditSeq: { increment: 1 } },
    select: { auditSeq: true, auditHash: true },
  })
  const fields = {
    orgId: ctx.org.id,
    seq: head.auditSeq,
    at: new Date(),
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorLabel: ctx.actor.label,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    targetLabel: entry.targetLabel ?? null,
    outcome: entry.outcome ?? 'success',
    justification: entry.justification ?? null,
    details: JSON.stringify(entry.details ?? {}),
  }
  const hash = auditHash(head.auditHash, fields)
  const event = await tx.auditEvent.create({ data: { ...fields, prevHash: head.auditHash, hash }, select: { id: true, seq: true } })
  await tx.organization.update({ where: { id: ctx.org.id }, data: { auditHash: hash } })
  return event
}

/** A refused attempt is evidence too: it gets its own transaction because there is no change to join. */
export async function recordDenied(ctx: AuditCtx, entry: Omit<AuditEntry, 'outcome'>) {
  try {
    await db.$transaction((tx) => recordAudit(tx, ctx, { ...entry, outcome: 'denied' }))
  } catch (err) {
    console.error('audit: could not record a denied attempt', (err as Error).message)
  }
}
