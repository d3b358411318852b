import { expect, test } from './fixtures'

test.describe('sign-in', () => {
  test('an anonymous visitor is sent to sign-in and comes back after the demo sign-in', async ({ page }) => {
    await page.goto('/acme/identities')
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Facme%2Fidentities/)
    await expect(page.getByText('demo mode — not for production')).toBeVisible()
    await page.getByRole('button', { name: /Grace Governance/ }).click()
    await expect(page).toHaveURL(/\/acme\/identities$/)
    await expect(page.getByTestId('current-user')).toHaveText('Grace Governance')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(/\/sign-in/)
    await page.goto('/acme')
    await expect(page).toHaveURL(/\/sign-in/)
  })

  test('a person signs in through the OpenID Connect provider', async ({ page }) => {
    await page.goto('/sign-in')
    await page.getByRole('button', { name: 'Continue with Test SSO' }).click()
    await expect(page).toHaveURL(/\/interaction\//)
    await page.locator('input[name="login"]').fill('audrey')
    await page.locator('input[name="password"]').fill('any-password')
    await page.locator('button[type="submit"]').click()
    const consent = page.locator('button[type="submit"]', { hasText: /continue/i })
    if (await consent.isVisible({ timeout: 5000 }).catch(() => false)) await consent.click()
    await expect(page).toHaveURL(/:\d+\/acme/)
    await expect(page.getByTestId('current-user')).toHaveText('Audrey Auditor')
  })

  test('an OIDC person with no membership is told so, not shown any organization', async ({ page }) => {
    await page.goto('/sign-in')
    await page.getByRole('button', { name: 'Continue with Test SSO' }).click()
    await page.locator('input[name="login"]').fill('stranger@elsewhere.example')
    await page.locator('input[name="password"]').fill('x')
    await page.locator('button[type="submit"]').click()
    const consent = page.locator('button[type="submit"]', { hasText: /continue/i })
    if (await consent.isVisible({ timeout: 5000 }).catch(() => false)) await consent.click()
    await expect(page.getByText('You are not a member of any organization yet')).toBeVisible()
    const res = await page.goto('/acme/identities')
    expect(res?.status()).toBe(404)
  })
})
