import 'server-only'
import { randomUUID } from 'node:crypto'
import type { Actor } from '@/lib/auth/org-context'
import type { Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { auditHash } from '@/lib/audit/chain'
import type { AuditEntry } from '@/lib/audit/record'

/**
 * Appends many events to the organization's hash chain in the caller's transaction with three statements
 * instead of three per event: reserve the seq range on the head row (a row lock on PostgreSQL), chain the
 * hashes in memory, insert them in one multi-row statement, move the head. Same fields and hashing as
 * recordAudit, so verifyAuditChain checks them alike.
 */
export async function recordAuditBatch(tx: Tx, ctx: { org: { id: string }; actor: Actor }, entries: AuditEntry[]) {
  if (entries.length === 0) return
  const head = await tx.organization.update({
    where: { id: ctx.org.id },
    data: { auditSeq: { increment: entries.length } },
    select: { auditSeq: true, auditHash: true },
  })
  let prev = head.auditHash
  let seq = head.auditSeq - entries.length
  const at = new Date()
  const rows = entries.map((entry) => {
    seq += 1
    const fields = {
      orgId: ctx.org.id,
      seq,
      at,
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
    const hash = auditHash(prev, fields)
    const row = { ...fields, prevHash: prev, hash }
    prev = hash
    return row
  })
  await insertRows(tx, rows)
  await tx.organization.update({ where: { id: ctx.org.id }, data: { auditHash: prev } })
}

const COLUMNS = ['id', 'orgId', 'seq', 'at', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId', 'targetLabel', 'outcome', 'justification', 'details', 'prevHash', 'hash'] as const
type Row = Omit<Record<(typeof COLUMNS)[number], unknown>, 'id'>

/**
 * One multi-row INSERT per 1,000 events (Prisma's createMany costs ~0.7 ms per row here, the raw statement a
 * fraction of that). Values follow Prisma's conventions: epoch ms on SQLite, UTC text on PostgreSQL.
 */
async function insertRows(tx: Tx, rows: Row[]) {
  const pg = env().databaseProvider === 'postgresql'
  const cols = COLUMNS.map((c) => `"${c}"`).join(',')
  for (let start = 0; start < rows.length; start += 1_000) {
    const chunk = rows.slice(start, start + 1_000)
    const args: unknown[] = []
    const tuples = chunk.map((r) => {
      const values = COLUMNS.map((c) => {
        if (c === 'id') return `ae${randomUUID().replace(/-/g, '').slice(0, 23)}`
        const v = r[c]
        return v instanceof Date ? (pg ? v.toISOString() : v.getTime()) : v
      })
      const marks = values.map((v) => {
        args.push(v)
        return pg ? `$${args.length}` : '?'
      })
      return `(${marks.join(',')})`
    })
    await tx.$executeRawUnsafe(`INSERT INTO "AuditEvent" (${cols}) VALUES ${tuples.join(',')}`, ...args)
  }
}
