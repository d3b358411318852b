import { createTestOrg, expect, gotoAs, test, type TestOrg } from './fixtures'

test.describe('inventory (governance journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 60 })
  })

  test('filters, sorts, searches and pages on the server, with the state in the URL', async ({ page }) => {
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities`)
    const table = page.getByRole('table', { name: 'Identities' })
    await expect(page.getByTestId('identity-total')).toHaveText('60 non-human identities match')
    await expect(page.getByText('Showing 1–50 of 60')).toBeVisible()

    // Filter by kind: the facet shows its count and the URL carries the filter.
    await expect(async () => {
      await page.getByRole('button', { name: 'Kind: any', exact: true }).click()
      await page.getByRole('checkbox', { name: /^Bot/ }).check({ timeout: 2000 })
      await expect(page).toHaveURL(/kind=bot/, { timeout: 2000 })
    }).toPass()
    await expect(page.getByTestId('identity-total')).toHaveText('30 non-human identities match')
    await expect(page.getByRole('checkbox', { name: /^Bot/ })).toHaveAccessibleName('Bot 30')
    await page.keyboard.press('Escape')
    await expect(page.getByRole('button', { name: 'Kind: Bot', exact: true })).toBeFocused()

    // Sort by name, ascending then descending.
    await table.getByRole('button', { name: 'Name' }).click()
    await expect(page).toHaveURL(/sort=name&dir=asc|dir=asc.*sort=name/)
    await expect(table.locator('tbody tr').first()).toContainText('e2e-bot-001')
    await table.getByRole('button', { name: 'Name' }).click()
    await expect(page).toHaveURL(/dir=desc/)
    await expect(table.locator('tbody tr').first()).toContainText('e2e-bot-059')

    // Page size 25 and the second page.
    await page.getByLabel('Rows per page').selectOption('25')
    await expect(page.getByText('Showing 1–25 of 30')).toBeVisible()
    await page.getByRole('button', { name: 'Next page' }).click()
    await expect(page.getByText('Showing 26–30 of 30')).toBeVisible()
    await expect(page).toHaveURL(/page=2/)
    await expect(table.locator('tbody tr')).toHaveCount(5)
    await expect(table.locator('tbody tr').last()).toContainText('e2e-bot-001')

    // The URL is a shareable view: reloading it gives the same page.
    await page.reload()
    await expect(page.getByText('Showing 26–30 of 30')).toBeVisible()

    // Text search within the filter.
    await page.getByLabel('Search identities').fill('bot-04')
    await page.getByLabel('Search identities').press('Enter')
    await expect(page).toHaveURL(/q=bot-04/)
    await expect(page.getByTestId('identity-total')).toHaveText('5 non-human identities match')

    // Clear everything; an owner filter shows the one owned identity.
    await page.getByRole('button', { name: 'Clear all' }).click()
    await expect(page.getByTestId('identity-total')).toHaveText('60 non-human identities match')
    await page.goto(`/${org.slug}/identities?owner=${org.users.member.id}`)
    await expect(table.locator('tbody tr')).toHaveCount(1)
    await expect(table).toContainText('e2e-bot-000')
    const owner = page.getByRole('combobox', { name: 'Owner' })
    await expect(owner).toHaveValue(`${org.users.member.name} (${org.users.member.email})`)
    await expect(
      page.getByRole('group', { name: 'Active filters' }).getByRole('button', { name: `Remove filter Owner: ${org.users.member.name}` }),
    ).toBeVisible()
    // The owner filter is a people picker: type, then pick with Enter.
    await expect(async () => {
      await owner.fill('nobody-like-this')
      await expect(page.getByText('No one matches “nobody-like-this”.')).toBeVisible({ timeout: 2000 })
    }).toPass()
    await owner.fill('no owner')
    await owner.press('Enter')
    await expect(page).toHaveURL(/owner=unowned/)
    await expect(page.getByTestId('identity-total')).toHaveText('59 non-human identities match')
  })

  test('malformed filters in the URL fall back to defaults', async ({ page }) => {
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities?page=-4&size=9999&sort=password&dir=up&kind=robot&privileged=maybe`)
    await expect(page.getByTestId('identity-total')).toHaveText('60 non-human identities match')
    await expect(page.getByText('Showing 1–50 of 60')).toBeVisible()
  })

  test('an empty result shows a helpful empty state', async ({ page }) => {
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities?q=nothing-matches-this`)
    await expect(page.getByText('No identities match these filters')).toBeVisible()
  })

  test('columns can be hidden and the choice is kept in the URL', async ({ page }) => {
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities`)
    const table = page.getByRole('table', { name: 'Identities' })
    await expect(table.getByRole('columnheader', { name: 'Source' })).toBeVisible()
    await expect(async () => {
      await page.getByText('Columns', { exact: true }).click()
      await page.getByRole('checkbox', { name: 'Source' }).uncheck({ timeout: 2000 })
    }).toPass()
    await expect(page).toHaveURL(/hide=source/)
    await expect(table.getByRole('columnheader', { name: 'Source' })).toHaveCount(0)
  })

  test('an identity page shows credentials by fingerprint, grants with resources, and activity', async ({ page }) => {
    // The demo organization has realistic credentials and grants.
    await gotoAs(page, 'grace@acme.example', '/acme/identities?privileged=yes&sort=grantCount&dir=desc')
    const first = page.getByRole('table', { name: 'Identities' }).locator('tbody tr').first()
    const name = (await first.locator('a').first().textContent())!.trim()
    await first.locator('a').first().click()
    await expect(page.getByTestId('identity-name')).toHaveText(name)
    await expect(page.getByTestId('grants')).toContainText('privileged')
    await expect(page.getByRole('heading', { name: /Credentials/ })).toBeVisible()
    await expect(page.getByRole('heading', { name: /Audit history/ })).toBeVisible()
  })
})
