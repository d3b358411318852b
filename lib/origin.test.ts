import { describe, expect, it } from 'vitest'
import { isSameOrigin } from './origin'

const h = (headers: Record<string, string>) => new Headers(headers)
const app = ['http://localhost:3000', 'https://custodian.example.com']

describe('isSameOrigin', () => {
  it('refuses an unsafe request from another site, with a null origin, or with none', () => {
    expect(isSameOrigin('POST', h({ origin: 'http://evil.example', host: 'localhost:3000' }), app)).toBe(false)
    expect(isSameOrigin('POST', h({ origin: 'null', host: 'localhost:3000' }), app)).toBe(false)
    expect(isSameOrigin('POST', h({ host: 'localhost:3000' }), app)).toBe(false)
    expect(isSameOrigin('DELETE', h({ host: 'localhost:3000', 'sec-fetch-site': 'same-origin' }), app)).toBe(false)
    // A look-alike host is another site.
    expect(isSameOrigin('POST', h({ origin: 'https://custodian.example.com.evil.example', host: 'x' }), app)).toBe(false)
  })

  it('accepts our own origin: the configured URLs or the host the request was sent to', () => {
    expect(isSameOrigin('POST', h({ origin: 'http://localhost:3000', host: 'internal:8080' }), app)).toBe(true)
    expect(isSameOrigin('POST', h({ origin: 'https://custodian.example.com', host: 'internal:8080' }), app)).toBe(true)
    expect(isSameOrigin('POST', h({ origin: 'http://10.0.0.5:3220', host: '10.0.0.5:3220' }), [])).toBe(true)
    expect(isSameOrigin('POST', h({ origin: 'https://ui.example', host: 'internal:8080', 'x-forwarded-host': 'ui.example' }), [])).toBe(true)
  })

  it('lets a safe request omit Origin unless the browser says it is cross-site', () => {
    expect(isSameOrigin('GET', h({ host: 'localhost:3000' }), app)).toBe(true)
    expect(isSameOrigin('GET', h({ host: 'localhost:3000', 'sec-fetch-site': 'same-origin' }), app)).toBe(true)
    expect(isSameOrigin('GET', h({ host: 'localhost:3000', 'sec-fetch-site': 'cross-site' }), app)).toBe(false)
    expect(isSameOrigin('GET', h({ origin: 'http://evil.example', host: 'localhost:3000' }), app)).toBe(false)
  })
})
