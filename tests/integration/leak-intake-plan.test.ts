import { afterAll, describe, expect, it, vi } from 'vitest'

// The statements the intake sends go through this client, which hands their text and parameters to the plan guard.
const captured = vi.hoisted(() => ({ on: false, list: [] as { query: string; params: string }[] }))
vi.mock('@/lib/db', async (importOriginal) => {
  const m = await importOriginal<typeof import('@/lib/db')>()
  return { ...m, db: m.createDb({ onQuery: (e) => void (captured.on && captured.list.push({ query: e.query, params: e.params })) }) }
})

import { unsafeFindLeakedCredentials } from '@/lib/api-tokens/leaked-credentials'
import { db } from '@/lib/db'
import { describePlan, isPageRead, openExplainer, statementOf } from '../plans/guard'
import { engine } from './fixtures'

afterAll(() => db.$disconnect())

describe(`the leak intake's lookup across organizations (${engine})`, () => {
  it('finds a reported secret’s credentials by the Credential(fingerprint) index, never by reading the table', async () => {
    captured.list = []
    captured.on = true
    try {
      await unsafeFindLeakedCredentials('a-reported-string')
    } finally {
      captured.on = false
    }
    const reads = captured.list.map(statementOf).filter(isPageRead)
    expect(reads).toHaveLength(1)
    const explainer = await openExplainer(process.env.DATABASE_URL!)
    try {
      const plan = await explainer.explain(reads[0])
      expect(plan.violations, describePlan(plan)).toEqual([])
      expect(plan.lines.join('\n'), describePlan(plan)).toContain('Credential_fingerprint_idx')
    } finally {
      await explainer.close()
    }
  })
})
