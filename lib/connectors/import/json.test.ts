import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { JsonShapeScanner } from './json'
import { JSON_LIMITS } from './limits'

const scan =
  (text: string | Buffer, limits = JSON_LIMITS) =>
  () =>
    new JsonShapeScanner(limits).feed(Buffer.from(text))

describe('JsonShapeScanner', () => {
  it('accepts the real exports', () => {
    for (const f of ['kubernetes.json', 'github-org.json', 'generic.json']) {
      expect(scan(fs.readFileSync(path.resolve('tests/fixtures/imports', f)))).not.toThrow()
    }
  })

  it('refuses deep nesting at the first level too many, with its line', () => {
    expect(scan('['.repeat(100_000))).toThrow(/nested more than 64 levels deep \(line 1\)/)
    expect(scan(`${'['.repeat(64)}${']'.repeat(64)}`)).not.toThrow()
    expect(scan(`{\n"a":\n${'{"b":'.repeat(70)}`)).toThrow(/line 3/)
  })

  it('refuses arrays, objects and strings over their limits', () => {
    const small = { ...JSON_LIMITS, maxArrayItems: 3, maxObjectKeys: 2, maxStringBytes: 5 }
    expect(scan('[1,2,3]', small)).not.toThrow()
    expect(scan('[1,2,3,4]', small)).toThrow(/array opened on line 1 holds more than 3 items/)
    expect(scan('{"a":1,"b":[1,2,3]}', small)).not.toThrow()
    expect(scan('{"a":1,"b":2,"c":3}', small)).toThrow(/object opened on line 1 has more than 2 keys/)
    expect(scan('["12345"]', small)).not.toThrow()
    expect(scan('["123456"]', small)).toThrow(/string starting on line 1 is longer than/)
  })

  it('does not count brackets, commas or escaped quotes inside strings', () => {
    const small = { ...JSON_LIMITS, maxDepth: 2, maxArrayItems: 2 }
    expect(scan(String.raw`[["[[[,,,\"[[,,"]]`, small)).not.toThrow()
    expect(scan(String.raw`[["\\",[]]]`, small)).toThrow(/nested more than 2/)
  })

  it('gives the same answer however the bytes are chunked', () => {
    const text = Buffer.from(`{"items":[${'"x\\"[",'.repeat(10)}${'['.repeat(70)}`)
    for (const size of [1, 2, 7]) {
      const s = new JsonShapeScanner()
      expect(() => {
        for (let i = 0; i < text.length; i += size) s.feed(text.subarray(i, i + size))
      }).toThrow(/nested more than 64/)
    }
  })
})
