// What the command-line benchmarks share: their arguments, timing, number formatting and the demo sign-in over HTTP.

export const args = process.argv.slice(2)
export const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('Set DATABASE_URL to a seeded database')
  return url
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/** fn's result and how long it took, in milliseconds. */
export const time = async <T>(fn: () => Promise<T>) => {
  const t = performance.now()
  const r = await fn()
  return [r, performance.now() - t] as const
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Signs in over HTTP as a seeded demo person (the server runs with CUSTODIAN_DEMO=true); answers the session's cookies. */
export async function demoSignIn(base: string, email: string): Promise<string> {
  // Right after start, the server may close the first kept-alive socket under a request: try again on a new one.
  for (let i = 0; ; i++) {
    try {
      return await demoSignInOnce(base, email)
    } catch (err) {
      if (i >= 2 || !/fetch failed/.test(String(err))) throw err
    }
  }
}

async function demoSignInOnce(base: string, email: string): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`)
  const jar = cookiesOf(csrfRes)
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string }
  const res = await fetch(`${base}/api/auth/callback/demo`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
    body: new URLSearchParams({ email, csrfToken, callbackUrl: '/' }),
    redirect: 'manual',
  })
  const cookie = [jar, cookiesOf(res)].filter(Boolean).join('; ')
  if (!/session-token/.test(cookie)) throw new Error(`could not sign in as ${email} (is it a seeded demo person?)`)
  return cookie
}
const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
