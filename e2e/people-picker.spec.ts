import { createActiveCampaign, createTestOrg, expect, gotoAs, query, sql, test } from './fixtures'

// The searchable people picker where a reviewer is chosen: delegating review items, and a campaign's fallback reviewer.

test.describe('people picker', () => {
  test('a reviewer delegates an item by typing part of a colleague’s name', async ({ page }) => {
    const org = await createTestOrg({ identities: 2 })
    await createActiveCampaign(org, { identities: [0] })
    await gotoAs(page, org.users.member.email, `/${org.slug}/reviews`)
    const table = page.getByRole('table', { name: 'My review items' })
    await expect(table.locator('tbody tr')).toHaveCount(1)
    await expect(async () => {
      await table.getByRole('checkbox', { name: 'Select row' }).first().check()
      await expect(page.getByLabel('Delegate to')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const to = page.getByRole('combobox', { name: 'Delegate to' })
    // Nobody chosen yet: the browser holds the form back.
    await page.getByPlaceholder('Reason').fill('I am on leave next week')
    await page.getByRole('button', { name: 'Delegate', exact: true }).click()
    expect(await to.evaluate((el: HTMLInputElement) => el.validationMessage)).toBe('Choose a person from the list.')
    await to.fill(org.users.governance.name.slice(0, 4).toLowerCase())
    await expect(page.getByRole('listbox', { name: 'People' }).getByRole('option')).toHaveCount(1)
    await to.press('Enter')
    await expect(to).toHaveValue(org.users.governance.name)
    await page.getByRole('button', { name: 'Delegate', exact: true }).click()
    await expect(page.getByTestId('review-message')).toContainText(`Handed 1 item to ${org.users.governance.name}`)
    const [item] = await query<{ reviewerId: string }>(sql`SELECT "reviewerId" FROM "ReviewItem" WHERE "identityId" = ${org.identities[0].id}`)
    expect(item.reviewerId).toBe(org.users.governance.id)
  })

  test('the fallback reviewer of a campaign is picked by typing; the role shows beside the name', async ({ page }) => {
    const org = await createTestOrg({ identities: 2 })
    await gotoAs(page, org.users.governance.email, `/${org.slug}/campaigns/new`)
    const fallback = page.getByRole('combobox', { name: 'Fallback reviewer' })
    await expect(fallback).toHaveValue(`${org.users.governance.name} (${org.users.governance.email})`)
    await expect(async () => {
      await fallback.fill('admin')
      await expect(page.getByRole('option', { name: new RegExp(`${org.users.admin.name}.*Admin`) })).toBeVisible({ timeout: 2000 })
    }).toPass()
    // auditors never review
    await fallback.fill('auditor')
    await expect(page.getByRole('listbox', { name: 'People' })).toContainText('No one matches')
    await fallback.fill('admin')
    await page.getByRole('option', { name: new RegExp(org.users.admin.name) }).click()
    await expect(fallback).toHaveValue(`${org.users.admin.name} (${org.users.admin.email})`)
    await page.getByLabel('Name', { exact: true }).fill('Picked fallback')
    await page.getByRole('button', { name: 'Save as draft' }).click()
    await expect(page).toHaveURL(new RegExp(`/${org.slug}/campaigns/(?!new)[a-z0-9]+$`))
    const [c] = await query<{ fallbackReviewerId: string }>(
      sql`SELECT "fallbackReviewerId" FROM "Campaign" WHERE "name" = ${'Picked fallback'} AND "createdById" = ${org.users.governance.id}`,
    )
    expect(c.fallbackReviewerId).toBe(org.users.admin.id)
  })
})
