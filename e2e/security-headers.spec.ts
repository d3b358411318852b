import type { Page } from '@playwright/test'
import { createTestOrg, expect, gotoAs, test } from './fixtures'

function nonceOf(csp: string | undefined): string {
  const m = /script-src [^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(csp ?? '')
  expect(m, `CSP with a script nonce, got: ${csp}`).not.toBeNull()
  return m![1]
}

/** Records every CSP violation the page reports, both as console errors and as DOM events. */
async function watchViolations(page: Page) {
  const seen: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) seen.push(msg.text())
  })
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `Content Security Policy violation on ${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber}:${e.columnNumber})`,
      )
    })
  })
  return seen
}

test.describe('security headers', () => {
  test('pages carry a nonce-based CSP that forbids framing, and Next.js scripts carry that nonce', async ({ request }) => {
    const anonymous = await request.get('/sign-in')
    const h = anonymous.headers()
    const csp = h['content-security-policy']
    const nonce = nonceOf(csp)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).not.toContain("'unsafe-eval'")
    expect(h['x-content-type-options']).toBe('nosniff')
    expect(h['referrer-policy']).toBe('same-origin')
    // Served over http here: no HSTS (it would only be sent behind https).
    expect(h['strict-transport-security']).toBeUndefined()
    const html = await anonymous.text()
    const scripts = html.match(/<script\b[^>]*>/g) ?? []
    expect(scripts.length).toBeGreaterThan(0)
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`)

    // A fresh nonce per response.
    expect(nonceOf((await request.get('/sign-in')).headers()['content-security-policy'])).not.toBe(nonce)
    // Behind a proxy that terminates https, HSTS is sent.
    expect((await request.get('/sign-in', { headers: { 'x-forwarded-proto': 'https' } })).headers()['strict-transport-security']).toMatch(/max-age=\d+/)
  })

  test('the main pages render with no CSP violation', async ({ page }) => {
    test.setTimeout(120_000)
    const org = await createTestOrg({ identities: 3 })
    const seen = await watchViolations(page)
    const base = `/${org.slug}`
    const pages = [
      '',
      '/my',
      '/identities',
      `/identities/${org.identities[0].id}`,
      '/findings',
      '/sources',
      '/campaigns',
      '/campaigns/new',
      '/reviews',
      '/jobs',
      '/audit',
      '/settings',
      '/inbox',
    ]
    await gotoAs(page, org.users.admin.email, base)
    for (const p of pages) {
      const res = await page.goto(base + p)
      expect(res?.status(), p).toBe(200)
      expect(res?.headers()['content-security-policy'], p).toContain("frame-ancestors 'none'")
      await expect(page.getByTestId('current-user')).toBeVisible()
      await page.waitForLoadState('networkidle')
    }
    // The seeded dashboard draws its charts (Recharts sets inline styles).
    await gotoAs(page, 'ada@acme.example', '/acme')
    await expect(page.getByTestId('chart-owasp')).toBeVisible()
    await page.waitForLoadState('networkidle')
    // Client navigation keeps working under the policy (scripts loaded, router hydrated).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identities', exact: true }).click()
    await expect(page).toHaveURL(/\/acme\/identities/)
    await page.goto('/sign-in')
    await page.waitForLoadState('networkidle')
    expect(seen).toEqual([])
  })
})
