import NextAuth, { type NextAuthConfig } from 'next-auth'
import Credentials from 'next-auth/providers/credentials'
import { z } from 'zod'
import { linkOidcPerson } from '@/lib/auth/oidc-link'
import { db } from '@/lib/db'
import { authSecret, env } from '@/lib/env'

declare module 'next-auth' {
  interface Session {
    user: { id: string; name?: string | null; email?: string | null }
  }
}

const demoSchema = z.object({ email: z.string().email() })

function providers(): NextAuthConfig['providers'] {
  const list: NextAuthConfig['providers'] = []
  const { oidc, demo } = env()
  if (oidc) {
    list.push({
      id: 'oidc',
      name: oidc.name,
      type: 'oidc',
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      checks: ['pkce', 'state', 'nonce'],
      authorization: { params: { scope: 'openid email profile' } },
    })
  }
  if (demo) {
    list.push(
      Credentials({
        id: 'demo',
        name: 'Demo sign-in',
        credentials: { email: { label: 'Email', type: 'email' } },
        // No password: only people the seeder marked as demo personas, never anyone else, even in demo mode.
        async authorize(raw) {
          const parsed = demoSchema.safeParse(raw)
          if (!parsed.success) return null
          const user = await db.user.findUnique({ where: { email: parsed.data.email.toLowerCase() } })
          if (!user || !user.active || !user.demo) return null
          return { id: user.id, name: user.name, email: user.email }
        },
      }),
    )
  }
  return list
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: authSecret(),
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  providers: providers(),
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider !== 'oidc') return true
      const { oidc } = env()
      if (!oidc) return '/sign-in?error=Configuration'
      const result = await linkOidcPerson(
        {
          issuer: oidc.issuer,
          subject: typeof profile?.sub === 'string' ? profile.sub : undefined,
          email: typeof profile?.email === 'string' ? profile.email : undefined,
          emailVerified: profile?.email_verified,
          name: typeof profile?.name === 'string' ? profile.name : (user.name ?? undefined),
        },
        { trustEmail: oidc.trustEmail },
      )
      if (!result.ok) return `/sign-in?error=${result.error}`
      user.id = result.userId
      return true
    },
    async jwt({ token, user, account }) {
      if (account) token.provider = account.provider
      if (user?.id) {
        token.uid = user.id
        await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } }).catch(() => {})
      }
      return token
    },
    async session({ session, token }) {
      // A demo session stops counting the moment demo mode is switched off.
      if (token.provider === 'demo' && !env().demo) return { ...session, user: { id: '' } }
      if (typeof token.uid === 'string') session.user.id = token.uid
      return session
    },
  },
}))
