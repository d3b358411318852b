/** Per-response security headers for pages (set by proxy.ts; static ones are in next.config.ts). Pure: no env reads. */

export type PolicyInput = {
  /** fresh per request; Next.js finds it in the request's CSP header and puts it on its own scripts */
  nonce: string
  /** `next dev`: React needs eval for its debugging aids */
  dev: boolean
  /** served over https (directly or behind a proxy that says so) */
  https: boolean
  /** the OIDC issuer's origin: the sign-in form posts to an action that redirects there */
  signInOrigin?: string | null
}

export function contentSecurityPolicy(p: PolicyInput): string {
  return [
    "default-src 'self'",
    // Only scripts carrying this response's nonce, and what they load ('strict-dynamic'): no injected script runs.
    `script-src 'self' 'nonce-${p.nonce}' 'strict-dynamic'${p.dev ? " 'unsafe-eval'" : ''}`,
    // Recharts and a few components set inline style attributes, which a nonce cannot cover; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${p.signInOrigin ? ` ${p.signInOrigin}` : ''}`,
    // Nobody may frame Custodian (clickjacking of approve/revoke buttons).
    "frame-ancestors 'none'",
    ...(p.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

/** A nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return btoa(String.fromCharCode(...bytes))
}

export function isHttps(input: { configuredUrls: (string | null | undefined)[]; forwardedProto: string | null; requestProtocol: string }): boolean {
  if (input.requestProtocol === 'https:') return true
  if (input.forwardedProto?.split(',')[0].trim().toLowerCase() === 'https') return true
  return input.configuredUrls.some((u) => typeof u === 'string' && u.toLowerCase().startsWith('https://'))
}

/** Sent only when served over https (browsers ignore it over http; a local http demo must not get it). */
export const HSTS = 'max-age=31536000'
