import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, isHttps, newNonce } from './headers'

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]))

describe('contentSecurityPolicy', () => {
  it('allows scripts only with the nonce, forbids framing, plugins and foreign base URLs', () => {
    const d = directives(contentSecurityPolicy({ nonce: 'abc123==', dev: false, https: false }))
    expect(d.get('script-src')).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"])
    expect(d.get('frame-ancestors')).toEqual(["'none'"])
    expect(d.get('object-src')).toEqual(["'none'"])
    expect(d.get('base-uri')).toEqual(["'self'"])
    expect(d.get('default-src')).toEqual(["'self'"])
    expect(d.get('form-action')).toEqual(["'self'"])
    // No script escape hatch in production; upgrade-insecure-requests only over https.
    expect([...d.values()].flat()).not.toContain("'unsafe-eval'")
    expect(d.get('script-src')).not.toContain("'unsafe-inline'")
    expect(d.has('upgrade-insecure-requests')).toBe(false)
  })

  it('lets the sign-in form redirect to the identity provider, adds eval for next dev only, upgrades over https', () => {
    const d = directives(contentSecurityPolicy({ nonce: 'n', dev: true, https: true, signInOrigin: 'https://idp.example' }))
    expect(d.get('form-action')).toEqual(["'self'", 'https://idp.example'])
    expect(d.get('script-src')).toContain("'unsafe-eval'")
    expect(d.has('upgrade-insecure-requests')).toBe(true)
  })
})

describe('newNonce', () => {
  it('is fresh each time and 128 bits long', () => {
    const a = newNonce()
    expect(a).not.toBe(newNonce())
    expect(Buffer.from(a, 'base64')).toHaveLength(16)
  })
})

describe('isHttps (decides HSTS)', () => {
  it('is true when the request, a proxy in front, or the configured public URL say https', () => {
    expect(isHttps({ configuredUrls: [], forwardedProto: null, requestProtocol: 'https:' })).toBe(true)
    expect(isHttps({ configuredUrls: [], forwardedProto: 'https, http', requestProtocol: 'http:' })).toBe(true)
    expect(isHttps({ configuredUrls: [null, 'https://custodian.example.com'], forwardedProto: null, requestProtocol: 'http:' })).toBe(true)
  })
  it('is false for a plain http demo', () => {
    expect(isHttps({ configuredUrls: [null, 'http://localhost:3000'], forwardedProto: 'http', requestProtocol: 'http:' })).toBe(false)
  })
})
