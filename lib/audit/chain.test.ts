import { describe, expect, it } from 'vitest'
import { auditHash, verifyRun, type ChainedFields } from './chain'

function chain(n: number) {
  const out: (ChainedFields & { prevHash: string; hash: string })[] = []
  let prev = ''
  for (let i = 1; i <= n; i++) {
    const e: ChainedFields = {
      orgId: 'o1',
      seq: i,
      at: new Date(Date.UTC(2026, 0, i)),
      actorType: 'user',
      actorId: 'u1',
      actorLabel: 'ada@acme.example',
      action: 'identity.assign-owner',
      targetType: 'identity',
      targetId: `i${i}`,
      targetLabel: null,
      outcome: 'success',
      justification: null,
      details: '{}',
    }
    const hash = auditHash(prev, e)
    out.push({ ...e, prevHash: prev, hash })
    prev = hash
  }
  return out
}

describe('audit hash chain', () => {
  it('verifies an intact chain', () => {
    const r = verifyRun(chain(5), { seq: 0, hash: '' })
    expect(r.ok).toBe(true)
  })
  it('detects an altered event', () => {
    const c = chain(5)
    c[2] = { ...c[2], action: 'identity.delete' }
    const r = verifyRun(c, { seq: 0, hash: '' })
    expect(r).toMatchObject({ ok: false, break: { seq: 3, reason: 'event content was altered' } })
  })
  it('detects a removed event', () => {
    const c = chain(5)
    c.splice(1, 1)
    const r = verifyRun(c, { seq: 0, hash: '' })
    expect(r).toMatchObject({ ok: false, break: { seq: 2 } })
  })
  it('detects a re-hashed forgery by the broken link', () => {
    const c = chain(3)
    const forged = { ...c[1], action: 'x' }
    forged.hash = auditHash(forged.prevHash, forged)
    c[1] = forged
    const r = verifyRun(c, { seq: 0, hash: '' })
    expect(r).toMatchObject({ ok: false, break: { seq: 3 } })
  })
})
