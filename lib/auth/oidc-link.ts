import 'server-only'
import { db } from '@/lib/db'

/** Refusals the sign-in page explains (app/(auth)/sign-in/page.tsx). */
export type OidcRefusal = 'NoSubject' | 'NoEmail' | 'EmailUnverified' | 'SubjectMismatch' | 'Deactivated'

export type OidcClaims = {
  issuer: string
  subject: string | undefined
  email: string | undefined
  /** the provider's `email_verified` claim, as it came */
  emailVerified: unknown
  name: string | undefined
}

/**
 * One OIDC subject per person: the link is `${issuer}|${sub}` (provider stays 'oidc'), so the issuer is part
 * of the key without a schema change and a second provider's subjects can never collide with the first's.
 */
export function oidcAccountKey(issuer: string, subject: string): string {
  return `${issuer.replace(/\/+$/, '')}|${subject}`
}

/**
 * Finds the person an OIDC sign-in is for. A returning person is found by (issuer, subject); a first sign-in
 * is matched by e-mail only when the provider verified it (or is trusted to), and binds that person to this
 * subject for good: another subject claiming the same e-mail later is refused.
 */
export async function linkOidcPerson(
  claims: OidcClaims,
  opts: { trustEmail: boolean },
): Promise<{ ok: true; userId: string } | { ok: false; error: OidcRefusal }> {
  if (!claims.subject) return { ok: false, error: 'NoSubject' }
  const key = oidcAccountKey(claims.issuer, claims.subject)
  const bound = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: 'oidc', providerAccountId: key } },
    select: { userId: true, user: { select: { active: true } } },
  })
  if (bound) return bound.user.active ? { ok: true, userId: bound.userId } : { ok: false, error: 'Deactivated' }

  // Links made before the issuer was recorded hold the bare subject, from the one issuer configured then.
  const legacy = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: 'oidc', providerAccountId: claims.subject } },
    select: { id: true, userId: true, user: { select: { active: true } } },
  })
  if (legacy) {
    await db.account.update({ where: { id: legacy.id }, data: { providerAccountId: key } })
    return legacy.user.active ? { ok: true, userId: legacy.userId } : { ok: false, error: 'Deactivated' }
  }

  const email = claims.email?.trim().toLowerCase()
  if (!email) return { ok: false, error: 'NoEmail' }
  // An unverified address proves nothing: matching on it would hand an existing person to whoever typed it.
  const verified = claims.emailVerified === true || claims.emailVerified === 'true'
  if (!verified && !opts.trustEmail) return { ok: false, error: 'EmailUnverified' }

  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email }, select: { id: true, active: true } })
    if (existing && !existing.active) return { ok: false as const, error: 'Deactivated' as const }
    if (existing) {
      const other = await tx.account.findFirst({ where: { userId: existing.id, provider: 'oidc' }, select: { id: true } })
      if (other) return { ok: false as const, error: 'SubjectMismatch' as const }
    }
    const person = existing ?? (await tx.user.create({ data: { email, name: claims.name?.trim() || email }, select: { id: true } }))
    await tx.account.create({ data: { userId: person.id, type: 'oidc', provider: 'oidc', providerAccountId: key } })
    return { ok: true as const, userId: person.id }
  })
}
