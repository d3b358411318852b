#!/usr/bin/env node
// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for end-to-end tests and
// for trying single sign-on locally. Its development login form accepts any login: "ada" signs in as
// ada@acme.example; a login containing "@" is used as the e-mail address as it is. Two prefixes make the
// hostile cases: "unverified:ada" claims ada's e-mail with email_verified false, and "second:ada" claims
// it verified under another subject (another account at the provider with the same address).
import http from 'node:http'
import Provider from 'oidc-provider'

const port = Number(process.env.OIDC_PORT ?? 3100)
const appUrl = process.env.APP_URL ?? 'http://localhost:3000'
const issuer = `http://localhost:${port}`

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.AUTH_OIDC_CLIENT_ID ?? 'custodian-test',
      client_secret: process.env.AUTH_OIDC_CLIENT_SECRET ?? 'custodian-test-secret-0123456789',
      redirect_uris: [`${appUrl}/api/auth/callback/oidc`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(_ctx, sub) {
    const login = String(sub).toLowerCase()
    const [, variant, base] = /^(?:(unverified|second):)?(.*)$/.exec(login)
    const email = base.includes('@') ? base : `${base}@acme.example`
    const name = base.split('@')[0].replace(/^./, (c) => c.toUpperCase())
    return { accountId: login, claims: async () => ({ sub: login, email, email_verified: variant !== 'unverified', name }) }
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['custodian-oidc-test-cookie-key'] },
})
provider.proxy = false
// Quiet the development-mode warnings about keys: this server exists for tests.
provider.on('server_error', (_ctx, err) => console.error('oidc: server error', err))

// Loopback only, on both address families, since "localhost" may resolve to either.
const handler = provider.callback()
http.createServer(handler).listen(port, '127.0.0.1', () => console.log(`oidc: test identity provider listening at ${issuer}`))
http
  .createServer(handler)
  .listen(port, '::1')
  .on('error', () => {})
