// Which requests come from the app's own pages (used by orgRoute); no server imports, so it is unit-tested.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const hostOf = (url: string | null | undefined) => {
  if (!url) return null
  try {
    return new URL(url).host
  } catch {
    return null
  }
}

/**
 * Whether a cookie-authenticated request comes from the app's own pages. Browsers always send Origin with
 * POST, PUT, PATCH and DELETE and a page cannot forge it, so an unsafe request must name our own origin (the
 * configured app and auth URLs, or the host the request was sent to); a safe one may omit it, but not come
 * from another site. Without this a page on any site could make a signed-in visitor's browser upload files.
 */
export function isSameOrigin(method: string, headers: Headers, appUrls: (string | null | undefined)[]): boolean {
  const origin = headers.get('origin')
  if (!origin) return SAFE_METHODS.has(method.toUpperCase()) && headers.get('sec-fetch-site') !== 'cross-site'
  const host = hostOf(origin)
  if (!host) return false
  const own = [...appUrls.map(hostOf), headers.get('host'), headers.get('x-forwarded-host')]
  return own.some((h) => h === host)
}
