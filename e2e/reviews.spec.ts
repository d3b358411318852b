import { createActiveCampaign, createTestOrg, expect, gotoAs, test } from './fixtures'

// The owner's review journey with the keyboard: decide row after row without touching the mouse.
test.describe('my reviews (owner journey)', () => {
  test('after a keyboard decision, focus moves to the next open row', async ({ page }) => {
    const org = await createTestOrg({ identities: 4 })
    await createActiveCampaign(org)
    await gotoAs(page, org.users.member.email, `/${org.slug}/reviews?view=flat`)
    const table = page.getByRole('table', { name: 'My review items' })
    await expect(table.locator('tbody tr')).toHaveCount(4)
    const focusedRow = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest('tr')?.textContent ?? document.activeElement?.tagName)
    await expect(async () => {
      await table.locator('tbody tr').first().focus()
      await page.keyboard.press('k')
      await expect(page.getByTestId('review-message')).toContainText(': Keep.', { timeout: 3000 })
    }).toPass()
    await expect(table.locator('tbody tr')).toHaveCount(3)
    // Focus is on a row again (not the page body), so the next key decides the next item.
    await expect.poll(focusedRow).toContain('e2e-bot-')
    await page.keyboard.press('k')
    await expect(table.locator('tbody tr')).toHaveCount(2)
    await expect.poll(focusedRow).toContain('e2e-bot-')
    await page.keyboard.press('u')
    await expect(page.getByTestId('review-message')).toContainText("Don't know")
    await expect.poll(focusedRow).toContain('e2e-bot-')
  })

  test('a search that matches nothing says so, not "all caught up"', async ({ page }) => {
    const org = await createTestOrg({ identities: 3 })
    await createActiveCampaign(org)
    await gotoAs(page, org.users.member.email, `/${org.slug}/reviews?q=no-such-identity`)
    await expect(page.getByText('No items match these filters')).toBeVisible()
    await expect(page.getByText('3 open items wait for you outside this view')).toBeVisible()
    await expect(page.getByText('You are all caught up')).toHaveCount(0)
    await page.getByRole('link', { name: 'Clear the filters' }).click()
    await expect(page.getByRole('table', { name: 'My review items' }).locator('tbody tr')).toHaveCount(3)
  })
})
