import 'server-only'
import { recordAuditMany, type AuditEntry } from '@/lib/audit/record'
import { systemActor, type Org } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { federatedFingerprint } from '@/lib/federation/credential'

// Issued exchanges are written by group commit: exchanges that finish while a write transaction is running wait for
// the next one and are written together (the attempt rows in one insert, the audit rows chained per organization with
// recordAuditMany). One transaction per exchange caps a busy issuer at the database's transaction rate; a token is
// still only returned once its row and audit row are committed.

export type IssuedRow = {
  orgId: string
  providerId: string
  ruleId: string
  identityId: string
  issuer: string
  subject: string | null
  replayKey: string
  jti: string
  scope: string
  audience: string
  task: string | null
  expiresAt: Date
  at: Date
}
type Pending = { row: IssuedRow; org: Org; audit: AuditEntry; done: (replayed: boolean) => void; fail: (err: unknown) => void }

export const EXCHANGE_ACTOR = systemActor({ type: 'federation.exchange', id: null })
const MAX_BATCH = 256
const queue: Pending[] = []
let running = false

/** Resolves false once the row and its audit row are committed, true when the subject token was already spent (a replay). */
export function commitIssued(row: IssuedRow, org: Org, audit: AuditEntry): Promise<boolean> {
  return new Promise((done, fail) => {
    queue.push({ row, org, audit, done, fail })
    if (!running) {
      running = true
      // Started on the next turn of the event loop, not now: the exchanges whose signature checks have finished (ready I/O
      // callbacks) get to join this batch. A SQLite transaction runs on this thread without yielding, so starting it at
      // once would write every exchange alone.
      setImmediate(() => void drain())
    }
  })
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r))

async function drain() {
  try {
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH)
      try {
        // Replays are rare: the batch is inserted without a look first, and the unique index (issuer, spentKey) refuses it
        // whole when one of its tokens was spent already (or twice in it); then each is written on its own, after a look.
        const replayed = await db.$transaction((tx) => writeBatch(tx, batch, false))
        batch.forEach((p, i) => p.done(replayed[i]))
      } catch (err) {
        if ((err as { code?: string }).code !== 'P2002') {
          batch.forEach((p) => p.fail(err))
          continue
        }
        for (const p of batch) {
          try {
            p.done((await db.$transaction((tx) => writeBatch(tx, [p], true)))[0])
          } catch (e) {
            if ((e as { code?: string }).code === 'P2002') p.done(true)
            else p.fail(e)
          }
        }
      }
      await nextTurn()
    }
  } finally {
    running = false
  }
}

/** Writes what is not a replay (spent in the database, when `look`, or earlier in this batch); returns which were replays. */
async function writeBatch(tx: Tx, batch: Pending[], look: boolean): Promise<boolean[]> {
  const spent = look
    ? await tx.tokenExchange.findMany({
        where: { OR: batch.map((p) => ({ issuer: p.row.issuer, spentKey: p.row.replayKey })) },
        select: { issuer: true, spentKey: true },
      })
    : []
  const seen = new Set(spent.map((s) => `${s.issuer}\u0000${s.spentKey}`))
  const replayed = batch.map((p) => {
    const k = `${p.row.issuer}\u0000${p.row.replayKey}`
    if (seen.has(k)) return true
    seen.add(k)
    return false
  })
  const fresh = batch.filter((_, i) => !replayed[i])
  if (fresh.length) {
    await tx.tokenExchange.createMany({ data: fresh.map((p) => ({ ...p.row, spentKey: p.row.replayKey, outcome: 'issued' })) })
    // The rules' federated credentials were used now (one indexed update per rule of the batch, not per exchange).
    const lastUse = new Map<string, { orgId: string; at: Date }>()
    for (const p of fresh) lastUse.set(p.row.ruleId, { orgId: p.row.orgId, at: p.row.at })
    for (const [ruleId, u] of lastUse)
      await tx.credential.updateMany({ where: { orgId: u.orgId, fingerprint: federatedFingerprint(ruleId) }, data: { lastUsedAt: u.at } })
    const byOrg = new Map<string, Pending[]>()
    for (const p of fresh) byOrg.set(p.org.id, [...(byOrg.get(p.org.id) ?? []), p])
    for (const [, ps] of byOrg)
      await recordAuditMany(
        tx,
        { org: ps[0].org, actor: EXCHANGE_ACTOR },
        ps.map((p) => p.audit),
      )
  }
  return replayed
}
