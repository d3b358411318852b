import type { Browser, Page } from '@playwright/test'
import { createTestOrg, expect, signInAs, test } from './fixtures'

/** Signs in through the real OIDC provider's login form (scripts/oidc-server.mjs), in a fresh browser. */
async function oidcSignIn(browser: Browser, login: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto('/sign-in')
  await page.getByRole('button', { name: 'Continue with Test SSO' }).click()
  await expect(page).toHaveURL(/\/interaction\//)
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any-password')
  await page.locator('button[type="submit"]').click()
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i })
  if (await consent.isVisible({ timeout: 5000 }).catch(() => false)) await consent.click()
  return page
}

test.describe('sign-in', () => {
  test('an anonymous visitor is sent to sign-in and comes back after the demo sign-in', async ({ page }) => {
    await page.goto('/acme/identities')
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Facme%2Fidentities/)
    await expect(page.getByText('demo mode — not for production')).toBeVisible()
    await page.getByRole('button', { name: /Grace Governance/ }).click()
    await expect(page).toHaveURL(/\/acme\/identities$/)
    await expect(page.getByTestId('current-user')).toHaveText('Grace Governance')
    await expect(page.getByTestId('demo-banner')).toContainText('Demo mode')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(/\/sign-in/)
    await page.goto('/acme')
    await expect(page).toHaveURL(/\/sign-in/)
  })

  test('the demo sign-in accepts the demo people only, never another active person', async ({ request }) => {
    const ordinary = await createTestOrg({ identities: 1, demo: false })
    // Exactly what a browser (or an attacker) posts: the CSRF token, then the e-mail alone.
    const csrf = await (await request.get('/api/auth/csrf')).json()
    const res = await request.post('/api/auth/callback/demo', {
      form: { email: ordinary.users.admin.email, csrfToken: csrf.csrfToken, callbackUrl: `/${ordinary.slug}` },
      maxRedirects: 0,
    })
    expect(res.status()).toBe(302)
    expect(res.headers().location).toContain('/sign-in?error=CredentialsSignin')
    expect(await (await request.get('/api/auth/session')).json()).toBeNull()
    expect((await request.get(`/${ordinary.slug}`, { maxRedirects: 0 })).status()).toBe(307)

    const personas = await createTestOrg({ identities: 1 })
    await signInAs(request, personas.users.admin.email)
  })

  test('a person signs in through the OpenID Connect provider', async ({ browser }) => {
    const page = await oidcSignIn(browser, 'audrey')
    await expect(page).toHaveURL(/:\d+\/acme/)
    await expect(page.getByTestId('current-user')).toHaveText('Audrey Auditor')
  })

  test('an OIDC person with no membership is told so, not shown any organization', async ({ browser }) => {
    const page = await oidcSignIn(browser, 'stranger@elsewhere.example')
    await expect(page.getByText('You are not a member of any organization yet')).toBeVisible()
    const res = await page.goto('/acme/identities')
    expect(res?.status()).toBe(404)
  })

  test('an e-mail the identity provider has not verified does not sign anyone in as that person', async ({ browser }) => {
    const org = await createTestOrg({ identities: 1, demo: false })
    const email = org.users.auditor.email
    const refused = await oidcSignIn(browser, `unverified:${email}`)
    await expect(refused).toHaveURL(/\/sign-in\?error=EmailUnverified/)
    await expect(refused.getByText('Your identity provider has not verified your e-mail address')).toBeVisible()
    expect(await (await refused.request.get('/api/auth/session')).json()).toBeNull()

    // The real person, verified, still gets in (nothing was linked by the refused attempt).
    const page = await oidcSignIn(browser, email)
    await expect(page).toHaveURL(new RegExp(`/${org.slug}`))
    await expect(page.getByTestId('current-user')).toHaveText(org.users.auditor.name)
  })

  test('once bound to a subject, a person cannot be taken over by another subject with the same e-mail', async ({ browser }) => {
    const org = await createTestOrg({ identities: 1, demo: false })
    const email = org.users.admin.email
    const first = await oidcSignIn(browser, email)
    await expect(first.getByTestId('current-user')).toHaveText(org.users.admin.name)

    const other = await oidcSignIn(browser, `second:${email}`)
    await expect(other).toHaveURL(/\/sign-in\?error=SubjectMismatch/)
    await expect(other.getByText('Your Custodian account is already linked to a different single sign-on identity')).toBeVisible()
    expect(await (await other.request.get('/api/auth/session')).json()).toBeNull()

    // The bound subject keeps working.
    const again = await oidcSignIn(browser, email)
    await expect(again.getByTestId('current-user')).toHaveText(org.users.admin.name)
  })
})
