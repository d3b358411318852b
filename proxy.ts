import { NextResponse, type NextRequest } from 'next/server'
import { env } from '@/lib/env'
import { HSTS, contentSecurityPolicy, isHttps, newNonce } from '@/lib/security/headers'

// Redirects anonymous visitors to sign-in and sets each page's security headers. Roles and organizations
// are checked next to the data.
export function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl
  // The Prometheus scrape has no session: /metrics checks its own bearer token (METRICS_TOKEN).
  if (pathname === '/metrics') return NextResponse.next()
  const hasSession = req.cookies.getAll().some((c) => c.name.endsWith('authjs.session-token') || c.name.includes('authjs.session-token.'))
  if (!hasSession && pathname !== '/sign-in') {
    const url = req.nextUrl.clone()
    url.pathname = '/sign-in'
    url.search = ''
    const back = pathname + req.nextUrl.search
    if (back !== '/') url.searchParams.set('callbackUrl', back)
    return NextResponse.redirect(url)
  }

  const e = env()
  const https = isHttps({ configuredUrls: [e.authUrl, e.appUrl], forwardedProto: req.headers.get('x-forwarded-proto'), requestProtocol: req.nextUrl.protocol })
  const nonce = newNonce()
  const csp = contentSecurityPolicy({ nonce, dev: !e.isProd, https, signInOrigin: e.oidc ? new URL(e.oidc.issuer).origin : null })
  // Next.js reads the nonce from the request's CSP header and puts it on its own scripts (pages render per request).
  const headers = new Headers(req.headers)
  headers.set('x-nonce', nonce)
  headers.set('content-security-policy', csp)
  const res = NextResponse.next({ request: { headers } })
  res.headers.set('content-security-policy', csp)
  if (https) res.headers.set('strict-transport-security', HSTS)
  return res
}

export const config = {
  matcher: ['/((?!api/|_next/|favicon.ico|.*\\.(?:png|svg|ico|txt|css|js|woff2?)$).*)'],
}
