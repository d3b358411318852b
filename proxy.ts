import { NextResponse, type NextRequest } from 'next/server'

// Only redirects anonymous visitors to sign-in. Roles and organizations are checked next to the data.
export function proxy(req: NextRequest) {
  const hasSession = req.cookies.getAll().some((c) => c.name.endsWith('authjs.session-token') || c.name.includes('authjs.session-token.'))
  if (hasSession) return NextResponse.next()
  const url = req.nextUrl.clone()
  url.pathname = '/sign-in'
  url.search = ''
  const back = req.nextUrl.pathname + req.nextUrl.search
  if (back !== '/') url.searchParams.set('callbackUrl', back)
  return NextResponse.redirect(url)
}

export const config = {
  matcher: ['/((?!api/|_next/|sign-in|favicon.ico|.*\\.(?:png|svg|ico|css|js|woff2?)$).*)'],
}
