import 'server-only'
import { checkpointStatement, verifyRun, type ChainBreak } from '@/lib/audit/chain'
import { parseDetails } from '@/lib/audit/describe'
import { db } from '@/lib/db'
import { orgPublicKeys, verifySignature } from '@/lib/keys/org-keys'

export type ChainReport = {
  ok: boolean
  /** events verified before the first break (all of them when ok) */
  checked: number
  break?: ChainBreak
  /** signed checkpoints whose signature and head were checked */
  checkpoints: number
  head: { seq: number; hash: string }
}

type Checkpoint = { id: string; orgId: string; seq: number; headHash: string; createdAt: Date; keyId: string; signature: string }

const PAGE = 5000

/** Why a checkpoint does not hold for the event at its position (or null when it does). */
function checkpointProblem(cp: Checkpoint, keys: Map<string, string>, event: { id: string; hash: string } | null): ChainBreak | null {
  const at = cp.createdAt.toISOString()
  const pem = keys.get(cp.keyId)
  if (!pem)
    return { seq: cp.seq, eventId: event?.id, reason: `the checkpoint of ${at} names an unknown signing key ${cp.keyId}`, detail: `checkpoint ${cp.id}` }
  if (!verifySignature(pem, checkpointStatement(cp), Buffer.from(cp.signature, 'base64'))) {
    return {
      seq: cp.seq,
      eventId: event?.id,
      reason: `the signature of the checkpoint of ${at} does not verify`,
      detail: `checkpoint ${cp.id}, key ${cp.keyId}`,
    }
  }
  if (!event) return { seq: cp.seq, reason: `event ${cp.seq} signed by the checkpoint of ${at} is missing`, detail: `checkpoint ${cp.id}` }
  if (event.hash !== cp.headHash) {
    return {
      seq: cp.seq,
      eventId: event.id,
      reason: `the chain was rewritten: event ${cp.seq} does not match the head signed by the checkpoint of ${at}`,
      detail: `signed head ${cp.headHash.slice(0, 12)}…, event hash ${event.hash.slice(0, 12)}…`,
    }
  }
  return null
}

/**
 * Walks an organization's whole chain in seq order in pages (constant memory): every link and hash, every signed
 * checkpoint (its signature with the organization's public key, and that the chain passes through the head it signed),
 * every checkpoint the chain recorded still being there, and the organization's head. Used by the audit page and by
 * `npm run audit:verify`; scoping and permission are the caller's (verifyAuditChain checks them for the page).
 */
export async function unsafeVerifyChainOfOrg(orgId: string): Promise<ChainReport> {
  const [checkpoints, keys] = await Promise.all([
    db.auditCheckpoint.findMany({ where: { orgId }, orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }] }),
    orgPublicKeys(orgId),
  ])
  const keyPems = new Map(keys.map((k) => [k.kid, k.publicKeyPem]))
  const bySeq = new Map<number, Checkpoint[]>()
  for (const cp of checkpoints) bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp])
  const cpIds = new Set(checkpoints.map((c) => c.id))
  const recorded: { seq: number; id: string; checkpointId: string }[] = []
  const fail = (checked: number, b: ChainBreak, head: { seq: number; hash: string }): ChainReport => ({
    ok: false,
    checked,
    break: b,
    checkpoints: checkpoints.filter((c) => c.seq < b.seq).length,
    head,
  })

  let start = { seq: 0, hash: '' }
  let checked = 0
  for (;;) {
    const events = await db.auditEvent.findMany({ where: { orgId, seq: { gt: start.seq } }, orderBy: { seq: 'asc' }, take: PAGE })
    if (events.length === 0) break
    const r = verifyRun(events, start)
    const validTo = r.ok ? r.last.seq : r.break.seq - 1
    for (const e of events) {
      if (e.seq > validTo) break
      for (const cp of bySeq.get(e.seq) ?? []) {
        const problem = checkpointProblem(cp, keyPems, e)
        if (problem) return fail(checked + (e.seq - start.seq - 1), problem, start)
      }
      if (e.action === 'audit.checkpoint') {
        const id = parseDetails(e.details).checkpointId
        if (typeof id === 'string') recorded.push({ seq: e.seq, id: e.id, checkpointId: id })
      }
    }
    if (!r.ok) return fail(checked + (r.break.seq - start.seq - 1), r.break, start)
    checked += events.length
    start = r.last
  }
  // A checkpoint beyond the last event present signs events that were deleted since.
  const beyond = checkpoints.find((cp) => cp.seq > start.seq)
  if (beyond) return fail(checked, checkpointProblem(beyond, keyPems, null) ?? { seq: beyond.seq, reason: 'missing events' }, start)
  const deleted = recorded.find((r) => !cpIds.has(r.checkpointId))
  if (deleted) {
    return fail(
      checked,
      {
        seq: deleted.seq,
        eventId: deleted.id,
        reason: `the checkpoint recorded by event ${deleted.seq} was deleted`,
        detail: `checkpoint ${deleted.checkpointId}`,
      },
      start,
    )
  }
  const head = await db.organization.findUnique({ where: { id: orgId }, select: { auditSeq: true, auditHash: true } })
  if (!head || head.auditSeq !== start.seq || head.auditHash !== start.hash) {
    return fail(checked, { seq: start.seq + 1, reason: 'the newest events are missing', detail: `the organization's head is #${head?.auditSeq ?? '?'}` }, start)
  }
  return { ok: true, checked, checkpoints: checkpoints.length, head: start }
}
