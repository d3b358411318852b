import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { linkOidcPerson, oidcAccountKey } from '@/lib/auth/oidc-link'
import { db } from '@/lib/db'
import { uid } from './fixtures'

const ISSUER = 'https://idp.example.com'
const trust = { trustEmail: false }

async function person(opts: { active?: boolean } = {}) {
  const email = `${uid('p-')}@corp.example`
  return db.user.create({ data: { email, name: 'A Person', active: opts.active ?? true } })
}
const links = (userId: string) => db.account.findMany({ where: { userId }, select: { provider: true, providerAccountId: true } })

describe('OIDC sign-in: who is this person?', () => {
  it('an unverified e-mail is not matched to an existing person, and nothing is linked', async () => {
    const p = await person()
    for (const emailVerified of [false, undefined, 'false']) {
      const r = await linkOidcPerson({ issuer: ISSUER, subject: uid('sub-'), email: p.email, emailVerified, name: 'Mallory' }, trust)
      expect(r).toEqual({ ok: false, error: 'EmailUnverified' })
    }
    expect(await links(p.id)).toEqual([])
  })

  it('an unverified e-mail never creates a person either (it would squat the address)', async () => {
    const email = `${uid('new-')}@corp.example`
    expect(await linkOidcPerson({ issuer: ISSUER, subject: uid('sub-'), email, emailVerified: false, name: 'X' }, trust)).toEqual({
      ok: false,
      error: 'EmailUnverified',
    })
    expect(await db.user.findUnique({ where: { email } })).toBeNull()
  })

  it('a verified e-mail binds the person to (issuer, subject) on first sign-in; a second subject is refused afterwards', async () => {
    const p = await person()
    const sub = uid('sub-')
    expect(await linkOidcPerson({ issuer: `${ISSUER}/`, subject: sub, email: p.email.toUpperCase(), emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: true,
      userId: p.id,
    })
    expect(await links(p.id)).toEqual([{ provider: 'oidc', providerAccountId: `${ISSUER}|${sub}` }])

    // Same e-mail, verified, but another subject at the provider (or another issuer): not this person.
    expect(await linkOidcPerson({ issuer: ISSUER, subject: uid('sub-'), email: p.email, emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: false,
      error: 'SubjectMismatch',
    })
    expect(await linkOidcPerson({ issuer: 'https://other-idp.example', subject: sub, email: p.email, emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: false,
      error: 'SubjectMismatch',
    })
    expect(await links(p.id)).toHaveLength(1)

    // The bound subject comes back: found by (issuer, subject) first, whatever the e-mail claim says now.
    expect(await linkOidcPerson({ issuer: ISSUER, subject: sub, email: 'changed@corp.example', emailVerified: false, name: 'A' }, trust)).toEqual({
      ok: true,
      userId: p.id,
    })
  })

  it('AUTH_OIDC_TRUST_EMAIL lets a provider that never sends email_verified match by e-mail', async () => {
    const p = await person()
    const sub = uid('sub-')
    expect(await linkOidcPerson({ issuer: ISSUER, subject: sub, email: p.email, emailVerified: undefined, name: 'A' }, { trustEmail: true })).toEqual({
      ok: true,
      userId: p.id,
    })
    expect(await links(p.id)).toEqual([{ provider: 'oidc', providerAccountId: oidcAccountKey(ISSUER, sub) }])
  })

  it('an unknown, verified e-mail becomes a new person bound to the subject', async () => {
    const email = `${uid('new-')}@corp.example`
    const r = await linkOidcPerson({ issuer: ISSUER, subject: 'sub-new', email, emailVerified: 'true', name: 'New Person' }, trust)
    expect(r.ok).toBe(true)
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, name: true, demo: true } })
    expect(user).toMatchObject({ name: 'New Person', demo: false })
    expect(await links(user.id)).toEqual([{ provider: 'oidc', providerAccountId: `${ISSUER}|sub-new` }])
  })

  it('a link made before issuers were recorded (bare subject) keeps working and is upgraded', async () => {
    const p = await person()
    const sub = uid('legacy-')
    await db.account.create({ data: { userId: p.id, type: 'oidc', provider: 'oidc', providerAccountId: sub } })
    expect(await linkOidcPerson({ issuer: ISSUER, subject: sub, email: p.email, emailVerified: true, name: 'A' }, trust)).toEqual({ ok: true, userId: p.id })
    expect(await links(p.id)).toEqual([{ provider: 'oidc', providerAccountId: `${ISSUER}|${sub}` }])
  })

  it('a deactivated person is refused, bound or not; no subject or no e-mail is refused', async () => {
    const p = await person({ active: false })
    expect(await linkOidcPerson({ issuer: ISSUER, subject: uid('s-'), email: p.email, emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: false,
      error: 'Deactivated',
    })
    const q = await person()
    const sub = uid('s-')
    await linkOidcPerson({ issuer: ISSUER, subject: sub, email: q.email, emailVerified: true, name: 'A' }, trust)
    await db.user.update({ where: { id: q.id }, data: { active: false } })
    expect(await linkOidcPerson({ issuer: ISSUER, subject: sub, email: q.email, emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: false,
      error: 'Deactivated',
    })
    expect(await linkOidcPerson({ issuer: ISSUER, subject: undefined, email: q.email, emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: false,
      error: 'NoSubject',
    })
    expect(await linkOidcPerson({ issuer: ISSUER, subject: uid('s-'), email: undefined, emailVerified: true, name: 'A' }, trust)).toEqual({
      ok: false,
      error: 'NoEmail',
    })
  })
})

describe('session cookies are never signed with a known secret', () => {
  const OLD_CONSTANT = 'custodian-development-secret-not-for-production'
  const saved = { AUTH_SECRET: process.env.AUTH_SECRET, NODE_ENV: process.env.NODE_ENV }
  let userId: string

  beforeAll(async () => {
    userId = (await person()).id
  })
  afterAll(() => {
    if (saved.AUTH_SECRET === undefined) delete process.env.AUTH_SECRET
    else process.env.AUTH_SECRET = saved.AUTH_SECRET
  })

  // Outside production and without AUTH_SECRET (next dev, tests): the case that used the constant.
  async function sessionWith(secret: string, extra: Record<string, string> = {}) {
    delete process.env.AUTH_SECRET
    vi.resetModules()
    const { encode } = await import('next-auth/jwt')
    const { handlers } = await import('@/lib/auth/config')
    const cookie = await encode({ token: { uid: userId, sub: userId, email: 'x@corp.example', ...extra }, secret, salt: 'authjs.session-token', maxAge: 3600 })
    const { NextRequest } = await import('next/server')
    const res = await handlers.GET(new NextRequest('http://localhost:3000/api/auth/session', { headers: { cookie: `authjs.session-token=${cookie}` } }))
    return (await res.json()) as { user?: { id?: string } } | null
  }

  it('a cookie signed with the old hard-coded development secret is not a session', async () => {
    expect(process.env.NODE_ENV).not.toBe('production')
    expect(await sessionWith(OLD_CONSTANT)).toBeNull()
  })

  it('a cookie signed with the secret the server resolved is (the check above can fail)', async () => {
    delete process.env.AUTH_SECRET
    vi.resetModules()
    const { authSecret } = await import('@/lib/env')
    const secret = authSecret()
    expect(secret).not.toBe(OLD_CONSTANT)
    expect((await sessionWith(secret))?.user?.id).toBe(userId)
  })

  it('a session made by the demo sign-in stops counting once demo mode is off', async () => {
    vi.resetModules()
    const { authSecret } = await import('@/lib/env')
    const secret = authSecret()
    vi.stubEnv('CUSTODIAN_DEMO', 'true')
    expect((await sessionWith(secret, { provider: 'demo' }))?.user?.id).toBe(userId)
    vi.stubEnv('CUSTODIAN_DEMO', 'false')
    expect((await sessionWith(secret, { provider: 'demo' }))?.user?.id).toBeFalsy()
    expect((await sessionWith(secret, { provider: 'oidc' }))?.user?.id).toBe(userId)
    vi.unstubAllEnvs()
  })
})
