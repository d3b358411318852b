import { createTestOrg, expect, gotoAs, signInAs, test, type TestOrg } from './fixtures'

// Every page and route checks the session, the organization and the role itself.
test.describe('authorization', () => {
  let org: TestOrg
  let other: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg()
    other = await createTestOrg()
  })

  test('anonymous requests get sign-in, never data', async ({ page, request }) => {
    for (const path of [
      `/${org.slug}`,
      `/${org.slug}/identities`,
      `/${org.slug}/identities/${org.identities[0].id}`,
      `/${org.slug}/audit`,
      `/${org.slug}/settings`,
    ]) {
      await page.goto(path)
      await expect(page, path).toHaveURL(/\/sign-in/)
    }
    const session = await (await request.get('/api/auth/session')).json()
    expect(session).toBeNull()
  })

  test('a member is refused the admin settings page and the audit log', async ({ page }) => {
    await gotoAs(page, org.users.member.email, `/${org.slug}/settings`)
    await expect(page.getByTestId('forbidden')).toContainText('organization settings')
    await expect(page.getByTestId('members')).toHaveCount(0)
    await page.goto(`/${org.slug}/audit`)
    await expect(page.getByTestId('forbidden')).toContainText('the audit log')
    // The refusals were recorded: an admin sees them in the audit log.
    await signInAs(page.request, org.users.admin.email)
    await page.goto(`/${org.slug}/audit?outcome=denied`)
    await expect(page.getByTestId('audit-table')).toContainText(org.users.member.email)
    await expect(page.getByTestId('audit-table')).toContainText('denied')
  })

  test('an admin sees the settings page', async ({ page }) => {
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    await expect(page.getByTestId('members')).toContainText(org.users.member.email)
  })

  test('another organization and its identities answer 404', async ({ page }) => {
    await signInAs(page.request, org.users.admin.email)
    let res = await page.goto(`/${other.slug}`)
    expect(res?.status()).toBe(404)
    res = await page.goto(`/${other.slug}/identities`)
    expect(res?.status()).toBe(404)
    // An identity of the other organization, opened under one's own organization's URL.
    res = await page.goto(`/${org.slug}/identities/${other.identities[0].id}`)
    expect(res?.status()).toBe(404)
    await expect(page.getByTestId('not-found')).toBeVisible()
    // A malformed id is a 404 too, not an error page.
    res = await page.goto(`/${org.slug}/identities/%27%20OR%201%3D1`)
    expect(res?.status()).toBe(404)
  })

  test('an auditor reads but cannot reach admin pages', async ({ page }) => {
    await gotoAs(page, org.users.auditor.email, `/${org.slug}/audit`)
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible()
    await page.goto(`/${org.slug}/settings`)
    await expect(page.getByTestId('forbidden')).toBeVisible()
  })
})
