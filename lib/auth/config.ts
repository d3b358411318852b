import NextAuth, { type NextAuthConfig } from 'next-auth'
import Credentials from 'next-auth/providers/credentials'
import { z } from 'zod'
import { db } from '@/lib/db'
import { env } from '@/lib/env'

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
        // Demo mode only: anyone can sign in as any active seeded user. Never enable in production.
        async authorize(raw) {
          const parsed = demoSchema.safeParse(raw)
          if (!parsed.success) return null
          const user = await db.user.findUnique({ where: { email: parsed.data.email.toLowerCase() } })
          if (!user || !user.active) return null
          return { id: user.id, name: user.name, email: user.email }
        },
      }),
    )
  }
  return list
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: env().authSecret ?? (env().isProd ? undefined : 'custodian-development-secret-not-for-production'),
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 12 * 60 * 60 },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  providers: providers(),
  callbacks: {
    async signIn({ user, account, profile }) {
      if (account?.provider !== 'oidc') return true
      const email = (profile?.email ?? user.email)?.toLowerCase()
      if (!email) return '/sign-in?error=NoEmail'
      // OIDC users are matched to Custodian people by e-mail; the subject is linked on first sign-in.
      const existing = await db.user.findUnique({ where: { email } })
      if (existing && !existing.active) return '/sign-in?error=Deactivated'
      const person =
        existing ??
        (await db.user.create({ data: { email, name: (profile?.name as string | undefined) ?? user.name ?? email } }))
      await db.account.upsert({
        where: { provider_providerAccountId: { provider: 'oidc', providerAccountId: account.providerAccountId } },
        create: { userId: person.id, type: 'oidc', provider: 'oidc', providerAccountId: account.providerAccountId },
        update: {},
      })
      user.id = person.id
      return true
    },
    async jwt({ token, user }) {
      if (user?.id) {
        token.uid = user.id
        await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } }).catch(() => {})
      }
      return token
    },
    async session({ session, token }) {
      if (typeof token.uid === 'string') session.user.id = token.uid
      return session
    },
  },
}))
