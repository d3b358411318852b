import { describe, expect, it } from 'vitest'
import { createTemplateSchema, describeGrant, effectiveTtl, grantSchema, parseGrantShorthand, roleNameFor } from './schemas'

describe('role names', () => {
  it('fit 63 bytes and name the identity, whatever its name', () => {
    expect(roleNameFor('payments-deploy', 'abcde12345')).toBe('cust_payments_deploy_abcde12345')
    const long = roleNameFor('Ünïcödé '.repeat(30) + '🙂', 'abcde12345')
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63)
    expect(long).toMatch(/^cust_[a-z0-9_]+_abcde12345$/)
    expect(roleNameFor('!!!', 'abcde12345')).toBe('cust_identity_abcde12345')
  })
})

describe('grants', () => {
  it('parse shorthand into structure, with quoted names kept whole', () => {
    expect(parseGrantShorthand('SELECT ON app.orders')).toEqual({ privilege: 'SELECT', objectType: 'table', schema: 'app', name: 'orders' })
    expect(parseGrantShorthand('grant select on orders')).toEqual({ privilege: 'SELECT', objectType: 'table', schema: 'public', name: 'orders' })
    expect(parseGrantShorthand('SELECT ON "my schema"."a.b"')).toEqual({ privilege: 'SELECT', objectType: 'table', schema: 'my schema', name: 'a.b' })
    expect(parseGrantShorthand('USAGE ON SCHEMA app')).toEqual({ privilege: 'USAGE', objectType: 'schema', schema: 'app' })
    expect(parseGrantShorthand('SELECT ON ALL TABLES IN SCHEMA reports')).toEqual({
      privilege: 'SELECT',
      objectType: 'all-tables-in-schema',
      schema: 'reports',
    })
    expect(parseGrantShorthand('CONNECT ON DATABASE shop')).toEqual({ privilege: 'CONNECT', objectType: 'database', name: 'shop' })
  })

  it('refuse what is not one grant (no statement can ride along)', () => {
    for (const bad of ['SELECT ON a.b; DROP TABLE c', 'SELECT ON a.b TO public', 'SELECT ON a.b.c.d', 'SELECT', 'ON a.b', 'SELECT ON "unterminated'])
      expect(parseGrantShorthand(bad), bad).toBeNull()
    expect(grantSchema.safeParse({ privilege: 'CONNECT', objectType: 'table', schema: 'a', name: 'b' }).success).toBe(false)
    expect(grantSchema.safeParse({ privilege: 'SELECT', objectType: 'table', schema: 'a' }).success).toBe(false)
    expect(grantSchema.safeParse({ privilege: 'SELECT', objectType: 'table', schema: 'a'.repeat(64), name: 'b' }).success).toBe(false)
    expect(grantSchema.safeParse({ privilege: 'SELECT', objectType: 'table', schema: 'a\u0000', name: 'b' }).success).toBe(false)
  })

  it('read as the statement they become, with identifiers quoted', () => {
    const g = grantSchema.parse({ privilege: 'SELECT', objectType: 'table', schema: 'a"b', name: 'c' })
    expect(describeGrant(g)).toBe('SELECT ON TABLE "a""b"."c"')
  })

  it('templates: default TTL within the maximum, both within a day; who may use it is required', () => {
    const base = { orgSlug: 'o', name: 't', sourceId: 's1', grants: ['SELECT ON a.b'], principalType: 'tag', tagKey: 'app', tagValue: 'orders' }
    expect(createTemplateSchema.safeParse({ ...base, principalType: undefined }).success).toBe(false)
    expect(createTemplateSchema.safeParse({ ...base, tagKey: '' }).success).toBe(false)
    expect(createTemplateSchema.safeParse({ ...base, defaultTtlSeconds: 600, maxTtlSeconds: 300 }).success).toBe(false)
    expect(createTemplateSchema.safeParse({ ...base, maxTtlSeconds: 86_401 }).success).toBe(false)
    expect(createTemplateSchema.parse(base)).toMatchObject({ defaultTtlSeconds: 900, maxTtlSeconds: 3600 })
  })

  it('effective TTL: the request or the default, capped at the maximum', () => {
    expect(effectiveTtl(undefined, { defaultTtlSeconds: 900, maxTtlSeconds: 3600 })).toBe(900)
    expect(effectiveTtl(7200, { defaultTtlSeconds: 900, maxTtlSeconds: 3600 })).toBe(3600)
    expect(effectiveTtl(120, { defaultTtlSeconds: 900, maxTtlSeconds: 3600 })).toBe(120)
  })
})
