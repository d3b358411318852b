import 'server-only'
import { chainedValues } from '@/lib/audit/chain'
import { db } from '@/lib/db'
import { csvLine, csvLines } from './csv'
import type { TextSource } from './stream'

export const AUDIT_COLUMNS = [
  'seq',
  'at',
  'actor_type',
  'actor_id',
  'actor',
  'action',
  'target_type',
  'target_id',
  'target',
  'outcome',
  'justification',
  'details',
  'prev_hash',
  'hash',
] as const

const PAGE = 5_000

type Range = { from: Date; to: Date; maxSeq?: number }

/**
 * The range's events in seq order, a page at a time. The range's seq bounds come first from the (orgId, at) index;
 * pages then walk the (orgId, seq) index between them, so each page costs the same however long the log is.
 */
async function* auditPages(orgId: string, r: Range) {
  const inRange = { orgId, at: { gte: r.from, lt: r.to }, ...(r.maxSeq !== undefined ? { seq: { lte: r.maxSeq } } : {}) }
  const bounds = await db.auditEvent.aggregate({ where: inRange, _min: { seq: true }, _max: { seq: true } })
  if (bounds._min.seq === null || bounds._max.seq === null) return
  let after = bounds._min.seq - 1
  const last = bounds._max.seq
  for (;;) {
    const page = await db.auditEvent.findMany({
      where: { orgId, seq: { gt: after, lte: Math.min(last, after + PAGE) } },
      orderBy: { seq: 'asc' },
    })
    const kept = page.filter((e) => e.at >= r.from && e.at < r.to)
    if (kept.length) yield kept
    after = Math.min(last, after + PAGE)
    if (after >= last) return
  }
}

/** The audit log of a range in chain order, with the chain fields (prev_hash, hash) to check it from outside. */
export async function* auditLogCsv(ctx: { org: { id: string } }, r: Range): TextSource {
  yield csvLine(AUDIT_COLUMNS)
  for await (const page of auditPages(ctx.org.id, r)) {
    // The chained fields as lib/audit/chain.ts hashes them (an auditor reads them as hashed; the org is the file's), then the chain.
    yield csvLines(page.map((e) => [...chainedValues(e).slice(1), e.prevHash, e.hash]))
  }
}

/**
 * The same as JSON Lines: every field exactly as hashed (details stays the JSON text it was stored as), so anyone can
 * recompute each event's hash from the previous one (lib/audit/chain.ts documents the encoding).
 */
export async function* auditLogJsonl(ctx: { org: { id: string } }, r: Range): TextSource {
  for await (const page of auditPages(ctx.org.id, r)) {
    let out = ''
    for (const e of page) {
      out +=
        JSON.stringify({
          orgId: e.orgId,
          seq: e.seq,
          at: e.at.toISOString(),
          actorType: e.actorType,
          actorId: e.actorId,
          actorLabel: e.actorLabel,
          action: e.action,
          targetType: e.targetType,
          targetId: e.targetId,
          targetLabel: e.targetLabel,
          outcome: e.outcome,
          justification: e.justification,
          details: e.details,
          prevHash: e.prevHash,
          hash: e.hash,
        }) + '\n'
    }
    yield out
  }
}
