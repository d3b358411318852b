import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isPrivateAddress, webhookUrlProblem } from '@/lib/webhooks/address'
import { webhookBackoffMs, webhookBodySchema } from '@/lib/webhooks/schemas'
import { newWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from '@/lib/webhooks/signature'

describe('webhook signatures (Standard Webhooks)', () => {
  it('matches the scheme the README documents: base64 HMAC-SHA256 of "id.timestamp.body" under the secret’s bytes', () => {
    const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')
    const expected = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef')).update('evt_1.1700000000.{"a":1}').digest('base64')
    expect(signWebhook(secret, 'evt_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`)
  })

  it('verifies its own headers, and refuses another secret, a changed body or id, and a stale or future timestamp', () => {
    const secret = newWebhookSecret()
    const now = new Date('2026-12-02T12:00:00Z')
    const h = webhookHeaders(secret, 'evt_x', '{"ok":true}', now)
    const hdr = { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] }
    expect(verifyWebhook(secret, hdr, '{"ok":true}', { now })).toBe(true)
    expect(verifyWebhook(newWebhookSecret(), hdr, '{"ok":true}', { now })).toBe(false)
    expect(verifyWebhook(secret, hdr, '{"ok":false}', { now })).toBe(false)
    expect(verifyWebhook(secret, { ...hdr, id: 'evt_y' }, '{"ok":true}', { now })).toBe(false)
    expect(verifyWebhook(secret, hdr, '{"ok":true}', { now: new Date(now.getTime() + 301_000) })).toBe(false)
    expect(verifyWebhook(secret, hdr, '{"ok":true}', { now: new Date(now.getTime() - 301_000) })).toBe(false)
    // Several signatures (a rotated secret): any one that matches is enough.
    expect(verifyWebhook(secret, { ...hdr, signature: `v1,bm9wZQ== ${hdr.signature}` }, '{"ok":true}', { now })).toBe(true)
    expect(verifyWebhook(secret, { ...hdr, signature: null }, '{"ok":true}', { now })).toBe(false)
  })
})

describe('SSRF guard', () => {
  it('knows private, loopback, link-local and mapped addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true)
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false)
  })

  it('refuses non-http(s) URLs always, and private hosts unless allowed', () => {
    expect(webhookUrlProblem('ftp://example.com/x', true)).toMatch(/http/)
    expect(webhookUrlProblem('file:///etc/passwd', true)).toMatch(/http/)
    expect(webhookUrlProblem('http://127.0.0.1:8080/in', false)).toMatch(/private/)
    expect(webhookUrlProblem('http://[::1]/in', false)).toMatch(/private/)
    expect(webhookUrlProblem('http://localhost/in', false)).toMatch(/localhost/)
    expect(webhookUrlProblem('http://127.0.0.1:8080/in', true)).toBeNull()
    expect(webhookUrlProblem('https://hooks.example.com/in', false)).toBeNull()
  })

  it('the form refuses URLs with credentials and unknown events', () => {
    expect(webhookBodySchema.safeParse({ url: 'https://u:p@example.com', events: ['identity.created'] }).success).toBe(false)
    expect(webhookBodySchema.safeParse({ url: 'https://example.com', events: ['identity.exploded'] }).success).toBe(false)
    expect(webhookBodySchema.safeParse({ url: 'https://example.com', events: [] }).success).toBe(false)
  })
})

describe('backoff', () => {
  it('grows by four from 30 s, with jitter, and stays bounded', () => {
    expect(webhookBackoffMs(1, () => 0.5)).toBe(30_000)
    expect(webhookBackoffMs(2, () => 0.5)).toBe(120_000)
    expect(webhookBackoffMs(5, () => 0.5)).toBe(7_680_000)
    expect(webhookBackoffMs(1, () => 0)).toBe(24_000)
    expect(webhookBackoffMs(50, () => 1)).toBeLessThanOrEqual(6 * 3_600_000 * 1.2)
  })
})
