import { describe, expect, it } from 'vitest'
import { metricsAccess, metricsRefusal } from './guard'

const TOKEN = 'a-metrics-token-of-some-length'

describe('metricsAccess', () => {
  it('is off without a configured token, whatever is sent', () => {
    expect(metricsAccess(`Bearer ${TOKEN}`, undefined)).toBe('off')
    expect(metricsAccess(null, '')).toBe('off')
  })
  it('wants a bearer token', () => {
    expect(metricsAccess(null, TOKEN)).toBe('missing')
    expect(metricsAccess(TOKEN, TOKEN)).toBe('missing')
    expect(metricsAccess('Basic abc', TOKEN)).toBe('missing')
  })
  it('accepts the exact token only', () => {
    expect(metricsAccess(`Bearer ${TOKEN}`, TOKEN)).toBe('ok')
    expect(metricsAccess(`bearer  ${TOKEN}`, TOKEN)).toBe('ok')
    expect(metricsAccess(`Bearer ${TOKEN}x`, TOKEN)).toBe('wrong')
    expect(metricsAccess(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe('wrong')
    expect(metricsAccess(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe('wrong')
  })
})

describe('metricsRefusal', () => {
  it('answers problem+json: 404 when off, 401 otherwise, nothing when allowed', () => {
    expect(metricsRefusal('ok', '/metrics')).toBeNull()
    const off = metricsRefusal('off', '/metrics')!
    expect(off.status).toBe(404)
    expect(JSON.parse(off.body)).toMatchObject({ status: 404, instance: '/metrics', detail: expect.stringContaining('METRICS_TOKEN') })
    const wrong = metricsRefusal('wrong', '/metrics')!
    expect(wrong.status).toBe(401)
    expect(wrong.headers['content-type']).toBe('application/problem+json')
    expect(wrong.headers['www-authenticate']).toContain('invalid_token')
    expect(wrong.body).not.toContain(TOKEN)
  })
})
