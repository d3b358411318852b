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

/** The chained fields in the order they are hashed: the hash below, and the audit log exports that show them as hashed. */
export function chainedValues(e: ChainedFields) {
  return [
    e.orgId,
    e.seq,
    e.at,
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
  ] as const
}

/** SHA-256 over the previous hash and a canonical encoding of the event: editing any field breaks the chain. */
export function auditHash(prevHash: string, e: ChainedFields): string {
  // JSON.stringify writes the Date as its toISOString(), the encoding the chain has always used.
  const canonical = JSON.stringify(chainedValues(e))
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex')
}

/** Where the chain first fails: the position, the event found there (if any), why, and what did not match. */
export type ChainBreak = { seq: number; reason: string; eventId?: string; detail?: string }

type Chained = ChainedFields & { id?: string; prevHash: string; hash: string }
const short = (h: string) => (h ? `${h.slice(0, 12)}…` : '(none)')

/** Checks a run of events in seq order, starting after (startSeq, startHash). */
export function verifyRun(
  events: Chained[],
  start: { seq: number; hash: string },
): { ok: true; last: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let { seq, hash } = start
  for (const [i, e] of events.entries()) {
    if (e.seq !== seq + 1) {
      return {
        ok: false,
        break: { seq: seq + 1, eventId: e.id, reason: `event ${seq + 1} is missing`, detail: `the next event present is #${e.seq}` },
      }
    }
    if (e.prevHash !== hash) {
      // An event placed after the one it links to was moved: the chain was reordered rather than cut.
      const linked = events.slice(i + 1).find((later) => later.hash === e.prevHash)
      return {
        ok: false,
        break: {
          seq: e.seq,
          eventId: e.id,
          reason: linked ? `events were reordered: event #${e.seq} links to the event now at #${linked.seq}` : 'link to the previous event does not match',
          detail: `its previous hash is ${short(e.prevHash)}, the event before it hashes to ${short(hash)}`,
        },
      }
    }
    const recomputed = auditHash(e.prevHash, e)
    if (recomputed !== e.hash) {
      return {
        ok: false,
        break: {
          seq: e.seq,
          eventId: e.id,
          reason: 'event content was altered',
          detail: `stored hash ${short(e.hash)}, its fields hash to ${short(recomputed)}`,
        },
      }
    }
    seq = e.seq
    hash = e.hash
  }
  return { ok: true, last: { seq, hash } }
}

/**
 * The exact bytes a checkpoint's signature covers. Plain text, so anyone can rebuild it and check the signature with
 * openssl (`openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in statement.txt -sigfile sig.bin`).
 */
export function checkpointStatement(cp: { orgId: string; seq: number; headHash: string; createdAt: Date }): string {
  return `custodian-audit-checkpoint/1\norg ${cp.orgId}\nseq ${cp.seq}\nhead ${cp.headHash}\nat ${cp.createdAt.toISOString()}\n`
}
