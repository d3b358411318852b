import { createActiveCampaign, createTestOrg, expect, gotoAs, test, type TestOrg } from './fixtures'

const DAY = 86_400_000

test.describe('access review campaigns', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    // Four identities owned by the member: two recently used (keep), one privileged and never used, one dormant (revoke).
    const used = [2, null, 200, 1]
    org = await createTestOrg({
      identities: 6,
      identity: (i, users) =>
        i < 4
          ? { ownerId: users.member.id, privileged: i === 1, lastUsedAt: used[i] === null ? null : new Date(Date.now() - used[i]! * DAY) }
          : { ownerId: null, lastUsedAt: new Date(Date.now() - DAY) },
    })
  })

  test('governance launches over a filter, the owner decides, governance reminds and closes, revokes become jobs', async ({ page }) => {
    // 1. Define and launch, scoped to the member's identities, with a live preview of the population.
    await gotoAs(page, org.users.governance.email, `/${org.slug}/campaigns/new`)
    await page.getByLabel('Name', { exact: true }).fill('Q4 owner attestation')
    await expect(page.getByTestId('scope-preview')).toContainText('6 review items')
    await expect(async () => {
      await page.getByRole('combobox', { name: 'Owner', exact: true }).fill(org.users.member.name)
      await page.getByRole('option', { name: new RegExp(org.users.member.name) }).click({ timeout: 2000 })
      await expect(page.getByTestId('scope-preview')).toContainText('4 review items', { timeout: 2000 })
    }).toPass()
    await page.getByLabel('When nobody answers').selectOption('open')
    await page.getByRole('button', { name: 'Launch campaign' }).click()
    await expect(page).toHaveURL(new RegExp(`/${org.slug}/campaigns/(?!new)[a-z0-9]+$`))
    await expect(page.getByTestId('campaign-status')).toHaveText('active', { timeout: 30_000 })
    const campaignUrl = new URL(page.url()).pathname
    await expect(page.getByTestId('stat-complete')).toContainText('0 of 4 items decided')

    // 2. The owner decides: one click, one keyboard shortcut with a justification, then the rest in bulk.
    await gotoAs(page, org.users.member.email, `/${org.slug}/reviews`)
    await expect(page.getByTestId('review-summary')).toHaveText('4 items wait for your decision')
    await expect(page.getByText('Keyboard shortcuts')).toBeVisible()
    const table = page.getByRole('table', { name: 'My review items' })
    await expect(table.locator('tbody tr')).toHaveCount(4)
    await expect(table).toContainText('not used for 200 days: revoke')
    await expect(async () => {
      await page.getByRole('button', { name: 'Keep e2e-bot-000' }).click()
      await expect(page.getByTestId('review-message')).toHaveText('e2e-bot-000: Keep.', { timeout: 3000 })
    }).toPass()
    await expect(table.locator('tbody tr')).toHaveCount(3)

    const row = table.locator('tbody tr', { hasText: 'e2e-bot-002' })
    await row.focus()
    await page.keyboard.press('r')
    const dialog = page.getByRole('dialog')
    await expect(dialog).toContainText('Revoke e2e-bot-002')
    await dialog.getByLabel(/Justification/).fill('Dormant for 200 days; nobody needs it')
    await dialog.getByRole('button', { name: 'Confirm revoke' }).click()
    await expect(page.getByTestId('review-message')).toHaveText('e2e-bot-002: Revoke.')
    await expect(table.locator('tbody tr')).toHaveCount(2)

    await page.getByLabel('Select all rows on this page').check()
    await expect(page.getByTestId('selected-count')).toHaveText('2 selected')
    // The campaign asks for a justification on revokes: accepting a revoke recommendation in bulk asks for one too.
    await page.getByRole('button', { name: 'Accept recommendations' }).click()
    await expect(page.getByTestId('review-message')).toContainText('1 of these items need a justification')
    await expect(page.getByTestId('review-summary')).toHaveText('2 items wait for your decision')
    await page.getByLabel('Justification for all').fill('Unused since the platform migration')
    await page.getByRole('button', { name: 'Accept recommendations' }).click()
    await expect(page.getByTestId('review-message')).toHaveText('Decided 2 items.')
    await expect(page.getByTestId('review-summary')).toHaveText('Nothing waits for your decision')

    // Decided items stay visible (and changeable) under "Decided" until the stage closes.
    await page.getByLabel('State').selectOption('decided')
    await expect(table.locator('tbody tr')).toHaveCount(4)

    // 3. Governance watches progress, reminds, closes.
    await gotoAs(page, org.users.governance.email, campaignUrl)
    await expect(page.getByTestId('stat-complete')).toContainText('100%')
    await expect(page.getByTestId('stat-decisions')).toContainText('2 keep · 2 revoke')
    await expect(page.getByTestId('rubber-stamp')).toContainText('50%')
    await page.getByRole('button', { name: 'Remind reviewers' }).click()
    await expect(page.getByTestId('action-message')).toContainText('Reminders are on their way')
    await page.getByRole('button', { name: 'Close campaign' }).click()
    const preview = page.getByTestId('close-preview')
    await expect(preview).toContainText('Every item has a decision.')
    await expect(preview).toContainText('2 revocations are then requested from the sources')
    await page.getByTestId('confirm-close').click()
    await expect(page.getByTestId('campaign-status')).toHaveText('closed', { timeout: 30_000 })

    // 4. Each revoke became a remediation job; the demo connector applies it and the items say so.
    const items = page.getByRole('table', { name: 'Campaign items' })
    await expect(async () => {
      await page.reload()
      await expect(items.getByTestId('remediation-status').filter({ hasText: 'applied' })).toHaveCount(2, { timeout: 2000 })
    }).toPass({ timeout: 30_000 })
    await expect(page.getByTestId('stat-remediation')).toContainText('2 applied')
  })

  test('an empty scope and a member get clear answers', async ({ page }) => {
    await gotoAs(page, org.users.governance.email, `/${org.slug}/campaigns/new`)
    await page.getByLabel('Name', { exact: true }).fill('Nothing in here')
    await page.getByLabel('Name contains').fill('no-such-identity')
    await expect(page.getByTestId('scope-preview')).toHaveText('Nothing matches this scope: widen the filter.')
    await page.getByRole('button', { name: 'Launch campaign' }).click()
    await expect(page.getByTestId('form-error')).toHaveText('The scope matches no identities: widen the filter before launching.')

    await gotoAs(page, org.users.member.email, `/${org.slug}/campaigns/new`)
    await expect(page.getByTestId('forbidden')).toBeVisible()
    await page.goto(`/${org.slug}/campaigns`)
    await expect(page.getByRole('link', { name: 'New campaign' })).toHaveCount(0)
  })

  test('closing says how many open items get which default decision and how many revocations follow', async ({ page }) => {
    const o = await createTestOrg({ identities: 3 })
    const c = await createActiveCampaign(o, { defaultDecision: 'recommendation', recommendation: 'revoke', name: 'Dormant keys' })
    await gotoAs(page, o.users.governance.email, `/${o.slug}/campaigns/${c.id}`)
    await page.getByRole('button', { name: 'Close campaign' }).click()
    const dialog = page.getByRole('dialog', { name: 'Close “Dormant keys”?' })
    await expect(dialog.getByTestId('close-preview')).toContainText('3 open items get the default decision (the recommendation): 3 revoke.')
    await expect(dialog.getByTestId('close-preview')).toContainText('3 revocations are then requested from the sources')
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByTestId('campaign-status')).toHaveText('active')
  })
})
