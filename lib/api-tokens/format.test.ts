import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checksumOf, hashToken, newToken, parseToken, TOKEN_PREFIX } from '@/lib/api-tokens/format'

describe('API token format', () => {
  it('makes recognisable tokens with a valid checksum and a hash that is not the token', () => {
    const t = newToken()
    expect(t.token).toMatch(/^cust_[0-9A-Za-z]{42}$/)
    expect(parseToken(t.token)).toEqual({ prefix: t.prefix })
    expect(t.hash).toBe(hashToken(t.token))
    expect(t.hash).not.toContain(t.token.slice(13))
    expect(newToken().token).not.toBe(t.token)
  })

  it('refuses any single-character change (the checksum catches typos)', () => {
    const { token } = newToken()
    fc.assert(
      fc.property(fc.integer({ min: TOKEN_PREFIX.length, max: token.length - 1 }), fc.constantFrom(...'0123456789abcXYZ'), (i, c) => {
        fc.pre(token[i] !== c)
        expect(parseToken(token.slice(0, i) + c + token.slice(i + 1))).toBeNull()
      }),
    )
  })

  it('refuses malformed strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => parseToken(s) === null))
    const { token } = newToken()
    for (const bad of ['', token.slice(1), `${token}A`, token.replace('cust_', 'cus_x'), token.toUpperCase(), `Bearer ${token}`])
      expect(parseToken(bad)).toBeNull()
    expect(checksumOf('x')).toHaveLength(6)
  })
})
