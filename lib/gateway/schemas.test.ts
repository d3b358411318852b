import { stringsOf } from '@/lib/json'
import { describe, expect, it } from 'vitest'
import { createRouteSchema, routeSettingsIssues, ruleBodySchema, ruleEntitlementName, rulePrivileged, secretRefSchema } from './schemas'

const base = { orgSlug: 'acme', name: 'Payments', pathPrefix: '/payments', upstreamUrl: 'https://api.example.com/v1' }

describe('gateway route schema', () => {
  it('accepts a plain route and fills the defaults', () => {
    expect(createRouteSchema.parse(base)).toMatchObject({ authKind: 'none', environment: 'unknown', timeoutMs: 30_000, ratePerSecond: 50, burst: 100 })
  })
  it.each([
    ['/Payments', 'pathPrefix'],
    ['/payments/', 'pathPrefix'],
    ['payments', 'pathPrefix'],
    ['/pay ments', 'pathPrefix'],
  ])('refuses the prefix %s', (pathPrefix, field) => {
    const r = createRouteSchema.safeParse({ ...base, pathPrefix })
    expect(r.success).toBe(false)
    expect(Object.keys(r.error!.flatten().fieldErrors)).toContain(field)
  })
  it.each(['ftp://x.example', 'javascript:alert(1)', 'https://u:p@x.example', 'https://x.example/?a=1', 'not a url'])(
    'refuses the upstream %s',
    (upstreamUrl) => {
      expect(createRouteSchema.safeParse({ ...base, upstreamUrl }).success).toBe(false)
    },
  )
  it('takes a secret reference as a variable name only, never a value', () => {
    expect(secretRefSchema.safeParse('PAYMENTS_API_KEY').success).toBe(true)
    for (const v of ['sk_live_51H8', 'Bearer abc', 'payments-key', '1KEY']) expect(secretRefSchema.safeParse(v).success, v).toBe(false)
  })
  it('asks for what the authentication kind needs, and a burst at least the rate', () => {
    expect(routeSettingsIssues({ authKind: 'header', ratePerSecond: 10, burst: 5 })).toEqual({
      authHeader: expect.any(String),
      secretRef: expect.any(String),
      burst: expect.any(String),
    })
    expect(
      routeSettingsIssues({
        authKind: 'oauth2_client_credentials',
        oauthTokenUrl: 'https://t',
        oauthClientId: 'c',
        secretRef: 'S',
        ratePerSecond: 1,
        burst: 1,
      }),
    ).toEqual({})
  })
  it('bounds the limits', () => {
    expect(createRouteSchema.safeParse({ ...base, timeoutMs: 50 }).success).toBe(false)
    expect(createRouteSchema.safeParse({ ...base, maxBodyBytes: 2 * 1024 ** 3 }).success).toBe(false)
    expect(createRouteSchema.safeParse({ ...base, ratePerSecond: 1.5 }).success).toBe(false)
  })
})

describe('gateway rule schema', () => {
  it('normalizes methods (any * means every method) and splits paths', () => {
    expect(ruleBodySchema.parse({ principalType: 'identity', identityId: 'abc', methods: ['POST', 'GET', 'GET'], paths: '/a\n/b/*, /a' })).toMatchObject({
      methods: ['GET', 'POST'],
      paths: ['/a', '/b/*'],
    })
    expect(ruleBodySchema.parse({ principalType: 'team', teamId: 't1', methods: ['GET', '*'], paths: ['/*'] }).methods).toEqual(['*'])
  })
  it('refuses unknown methods, relative paths and a missing principal', () => {
    expect(ruleBodySchema.safeParse({ principalType: 'identity', identityId: 'a', methods: ['TRACE'], paths: ['/a'] }).success).toBe(false)
    expect(ruleBodySchema.safeParse({ principalType: 'identity', identityId: 'a', methods: ['GET'], paths: ['a/b'] }).success).toBe(false)
    expect(ruleBodySchema.safeParse({ principalType: 'tag', tagKey: 'app', methods: ['GET'], paths: ['/a'] }).success).toBe(false)
    expect(ruleBodySchema.safeParse({ principalType: 'identity', methods: ['GET'], paths: ['/a'] }).success).toBe(false)
  })
})

describe('rule entitlement', () => {
  it('is named after what it allows', () => {
    expect(ruleEntitlementName(['GET', 'POST'], ['/orders/*'])).toBe('GET, POST /orders/*')
    expect(ruleEntitlementName(['*'], ['/a', '/b'])).toBe('* /a, /b')
  })
  it('is privileged for writes to production, or every method on every path', () => {
    expect(rulePrivileged(['GET', 'HEAD'], ['/*'], 'production')).toBe(false)
    expect(rulePrivileged(['POST'], ['/orders'], 'production')).toBe(true)
    expect(rulePrivileged(['DELETE'], ['/orders'], 'staging')).toBe(false)
    expect(rulePrivileged(['*'], ['/*'], 'development')).toBe(true)
  })
  it('reads stored lists forgivingly', () => {
    expect(stringsOf('["GET"]')).toEqual(['GET'])
    expect(stringsOf('nope')).toEqual([])
  })
})
