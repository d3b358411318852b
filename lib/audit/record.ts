import 'server-only'
import type { ActorRef } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { logger } from '@/lib/log'
import { auditHash, type ChainedFields } from '@/lib/audit/chain'
import { insertRows, newId, type Columns } from '@/lib/sql/bulk'
import { prismaSql } from '@/lib/sql/prisma'

export type AuditEntry = {
  action: string
  targetType?: string
  targetId?: string
  targetLabel?: string
  outcome?: 'success' | 'denied' | 'failure'
  justification?: string | null
  /** Never secrets: callers pass ids, counts and names only. */
  details?: Record<string, unknown>
  /** who acted, when not the context's actor (a batch of jobs written together: each row names its own job) */
  actor?: ActorRef
}

/** The target columns of an entry from the entity a change touched: its id and, unless given, its name as the label. */
export function auditTarget(
  type: string,
  entity: { id: string; name?: string | null },
  label = entity.name,
): Pick<AuditEntry, 'targetType' | 'targetId' | 'targetLabel'> {
  return { targetType: type, targetId: entity.id, targetLabel: label ?? undefined }
}

/** requestId: the API request that made the change, kept in the row's details so a log line and its audit row meet. */
type AuditCtx = { org: { id: string }; actor: ActorRef; requestId?: string; user?: { id: string; name: string } }

/** What a row adds to its details: the API request, and the person a token acted for (PersonCtx). */
function contextDetails(ctx: AuditCtx): Record<string, unknown> {
  return {
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    ...(ctx.user && ctx.actor.type !== 'user' ? { onBehalfOf: { id: ctx.user.id, name: ctx.user.name } } : {}),
  }
}

function chainedFields(ctx: AuditCtx, entry: AuditEntry, seq: number, at: Date): ChainedFields {
  return {
    orgId: ctx.org.id,
    seq,
    at,
    actorType: (entry.actor ?? ctx.actor).type,
    actorId: (entry.actor ?? ctx.actor).id,
    actorLabel: (entry.actor ?? ctx.actor).label,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    targetLabel: entry.targetLabel ?? null,
    outcome: entry.outcome ?? 'success',
    justification: entry.justification ?? null,
    details: JSON.stringify({ ...entry.details, ...contextDetails(ctx) }),
  }
}

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
  const fields = chainedFields(ctx, entry, head.auditSeq, new Date())
  const hash = auditHash(head.auditHash, fields)
  const event = await tx.auditEvent.create({ data: { ...fields, prevHash: head.auditHash, hash }, select: { id: true, seq: true } })
  await tx.organization.update({ where: { id: ctx.org.id }, data: { auditHash: hash } })
  return event
}

export const AUDIT_COLUMNS = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['seq', 'int'],
  ['at', 'date'],
  ['actorType', 'text'],
  ['actorId', 'text'],
  ['actorLabel', 'text'],
  ['action', 'text'],
  ['targetType', 'text'],
  ['targetId', 'text'],
  ['targetLabel', 'text'],
  ['outcome', 'text'],
  ['justification', 'text'],
  ['details', 'text'],
  ['prevHash', 'text'],
  ['hash', 'text'],
] as const satisfies Columns

/**
 * Appends many events in the caller's transaction with a few statements instead of three per event: reserve
 * the seq range on the head row (a row lock on PostgreSQL), chain the hashes in memory, insert them with
 * multi-row INSERTs, move the head. Same fields and hashing as recordAudit, so the chain verifies alike.
 */
export async function recordAuditMany(tx: Tx, ctx: AuditCtx, entries: AuditEntry[]) {
  if (entries.length === 0) return
  const head = await tx.organization.update({
    where: { id: ctx.org.id },
    data: { auditSeq: { increment: entries.length } },
    select: { auditSeq: true, auditHash: true },
  })
  let prev = head.auditHash
  const first = head.auditSeq - entries.length + 1
  const at = new Date()
  const rows = entries.map((entry, i) => {
    const fields = chainedFields(ctx, entry, first + i, at)
    const hash = auditHash(prev, fields)
    const row = { id: newId(), ...fields, prevHash: prev, hash }
    prev = hash
    return AUDIT_COLUMNS.map(([c]) => row[c])
  })
  await insertRows(prismaSql(tx), 'AuditEvent', AUDIT_COLUMNS, rows)
  await tx.organization.update({ where: { id: ctx.org.id }, data: { auditHash: prev } })
}

/**
 * A refused attempt is evidence too: it gets its own transaction because there is no change to join. One actor
 * cannot flood the chain: past CUSTODIAN_AUDIT_DENIED_PER_MINUTE refusals in a minute (default 30), one
 * `audit.denied-suppressed` row is written and the rest of that minute's refusals only reach the server log.
 */
export async function recordDenied(ctx: AuditCtx, entry: Omit<AuditEntry, 'outcome'>) {
  // A refusal is evidence: a busy database (another process holding the write lock) gets a second try.
  for (let attempt = 1; ; attempt++) {
    try {
      await db.$transaction((tx) => writeDenied(tx, ctx, entry, env().auditDeniedPerMinute))
      return
    } catch (err) {
      if (attempt >= 2) {
        logger('audit').error(
          { requestId: ctx.requestId, action: entry.action, err: err instanceof Error ? err.message : String(err) },
          'denied attempt not recorded',
        )
        return
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

async function writeDenied(tx: Tx, ctx: AuditCtx, entry: Omit<AuditEntry, 'outcome'>, perMinute: number) {
  if (ctx.actor.id) {
    const since = new Date(Date.now() - 60_000)
    const recent = await tx.auditEvent.count({ where: { orgId: ctx.org.id, actorId: ctx.actor.id, at: { gte: since }, outcome: 'denied' } })
    if (recent > perMinute) {
      logger('audit').warn(
        { requestId: ctx.requestId, actorType: ctx.actor.type, actorId: ctx.actor.id, action: entry.action, limitPerMinute: perMinute },
        'refused attempt not recorded (too many this minute)',
      )
      return
    }
    if (recent === perMinute) {
      await recordAudit(tx, ctx, { action: 'audit.denied-suppressed', outcome: 'denied', details: { limitPerMinute: perMinute, first: entry.action } })
      return
    }
  }
  await recordAudit(tx, ctx, { ...entry, outcome: 'denied' })
}
