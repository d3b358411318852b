import { createHash } from 'node:crypto'

export type ChainedFields = {
  orgId: string
  seq: number
  at: Date
  actorType: string
  actorId: string | null
  actorLabel: string
  action: string
  targetType: string | null
  targetId: string | null
  targetLabel: string | null
  outcome: string
  justification: string | null
  details: string
}

/** SHA-256 over the previous hash and a canonical encoding of the event: editing any field breaks the chain. */
export function auditHash(prevHash: string, e: ChainedFields): string {
  const canonical = JSON.stringify([
    e.orgId,
    e.seq,
    e.at.toISOString(),
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.action,
    e.targetType,
    e.targetId,
    e.targetLabel,
    e.outcome,
    e.justification,
    e.details,
  ])
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex')
}

export type ChainBreak = { seq: number; reason: string }

/** Checks a run of events in seq order, starting after (startSeq, startHash). */
export function verifyRun(
  events: (ChainedFields & { prevHash: string; hash: string })[],
  start: { seq: number; hash: string },
): { ok: true; last: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let { seq, hash } = start
  for (const e of events) {
    if (e.seq !== seq + 1) return { ok: false, break: { seq: seq + 1, reason: `event ${seq + 1} is missing` } }
    if (e.prevHash !== hash) return { ok: false, break: { seq: e.seq, reason: 'link to the previous event does not match' } }
    if (auditHash(e.prevHash, e) !== e.hash) return { ok: false, break: { seq: e.seq, reason: 'event content was altered' } }
    seq = e.seq
    hash = e.hash
  }
  return { ok: true, last: { seq, hash } }
}
