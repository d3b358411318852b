import { createTestOrg, expect, gotoAs, signInAs, test } from './fixtures'

test.describe('ownership', () => {
  test('an admin accepts suggested owners, then bulk-assigns every match of a filter', async ({ page }) => {
    // 30 identities: #0 owned by the member, #1–#3 created by the governance person (a high-confidence suggestion).
    const org = await createTestOrg({
      identities: 30,
      identity: (i, users) => (i >= 1 && i <= 3 ? { name: `e2e-sugg-${i}`, metadata: JSON.stringify({ creator: users.governance.email }) } : undefined),
    })
    await gotoAs(page, org.users.admin.email, `/${org.slug}/identities`)
    // the quick link to the unowned identities
    await page.getByRole('navigation', { name: 'Ownership views' }).getByRole('link', { name: 'Unowned' }).click()
    await expect(page).toHaveURL(/owner=unowned/)
    await expect(page.getByTestId('identity-total')).toHaveText('29 non-human identities match')

    await expect(async () => {
      await page.getByRole('button', { name: 'Accept suggested owners…' }).click()
      await expect(page.getByRole('dialog', { name: 'Accept high-confidence owner suggestions' })).toBeVisible({ timeout: 2000 })
    }).toPass()
    await page.getByRole('button', { name: 'Accept suggestions' }).click()
    await expect(page.getByTestId('job-progress')).toContainText('Done: 3 identities changed', { timeout: 30_000 })
    await expect(page.getByTestId('identity-total')).toHaveText('26 non-human identities match')

    // Select the page, then every identity matching the filter (26), and assign them to the member.
    await page.goto(`/${org.slug}/identities?owner=unowned&size=25`)
    await expect(page.getByText('Showing 1–25 of 26')).toBeVisible()
    await expect(page.getByRole('table', { name: 'Identities' }).locator('tbody tr')).toHaveCount(25)
    await page.getByRole('checkbox', { name: 'Select all rows on this page' }).check()
    await page.getByRole('button', { name: 'Select all 26 matching' }).click()
    await expect(page.getByTestId('selection-count')).toHaveText('All 26 matching selected')
    await page.getByRole('button', { name: 'Assign ownership…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Assign ownership of 26 identities' })
    // The owner field is a searchable people picker: type part of a name, pick with the keyboard.
    const owner = dialog.getByRole('combobox', { name: 'Owner', exact: true })
    await owner.fill(org.users.member.name.slice(0, 5))
    const options = dialog.getByRole('listbox')
    await expect(options.getByRole('option', { name: new RegExp(org.users.member.name) })).toBeVisible()
    await expect(options.getByRole('option', { name: new RegExp(org.users.governance.name) })).toHaveCount(0)
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.screenshot({ path: '.tmp/people-picker.png' })
    // Escape closes the list, not the dialog, and keeps the previous choice.
    await owner.press('Escape')
    await expect(options).toBeHidden()
    await expect(dialog).toBeVisible()
    await expect(owner).toHaveValue('— leave unchanged —')
    await owner.fill(org.users.member.email.slice(0, 8))
    await owner.press('ArrowDown')
    await owner.press('ArrowUp')
    await owner.press('Enter')
    await expect(owner).toHaveValue(`${org.users.member.name} (${org.users.member.email})`)
    await expect(dialog).toBeVisible()
    await dialog.getByRole('button', { name: 'Review' }).click()
    await expect(dialog.getByTestId('bulk-confirm')).toContainText('26 of 26 matching identities will change')
    await dialog.getByRole('button', { name: 'Confirm' }).click()
    await expect(page.getByTestId('job-progress')).toContainText('Done: 26 identities changed', { timeout: 30_000 })
    await page.reload()
    await expect(page.getByTestId('identity-total')).toHaveText('0 non-human identities match')

    // The suggested owner and its origin show on the identity page, with its audit history.
    await page.goto(`/${org.slug}/identities/${org.identities[2].id}`)
    await expect(page.getByText('suggestion', { exact: true })).toBeVisible()
    await expect(page.getByTestId('identity-audit')).toContainText('identity.assign-owner')
  })

  test('a member lands on "My identities" and attests to an identity', async ({ page }) => {
    const org = await createTestOrg({ identities: 3 })
    await gotoAs(page, org.users.member.email, '/')
    await expect(page).toHaveURL(new RegExp(`/${org.slug}/my$`))
    await expect(page.getByRole('link', { name: 'My identities' })).toHaveAttribute('aria-current', 'page')
    await expect(page.getByTestId('my-summary')).toContainText('You own 1 and back up 0')
    await expect(page.getByTestId('no-reviews')).toBeVisible()
    const row = page.getByTestId('my-identity').filter({ hasText: org.identities[0].name })
    await expect(row.getByTestId('attestation-state')).toHaveText('never attested')
    await expect(async () => {
      await row.getByRole('button', { name: `Attest ${org.identities[0].name}` }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const dialog = page.getByRole('dialog')
    // refused without confirming it is still needed
    await dialog.getByRole('button', { name: 'Record attestation' }).click()
    await expect(dialog.getByTestId('form-error')).toContainText('Confirm the identity is still needed')
    await dialog.getByRole('checkbox').check()
    await dialog.getByLabel('Note (optional)').fill('Used by the nightly export')
    await dialog.getByRole('button', { name: 'Record attestation' }).click()
    await expect(row.getByTestId('attestation-state')).toContainText('attested · next')
    // The member's identity page does not show audit history (actors and justifications need audit:read)...
    await page.goto(`/${org.slug}/identities/${org.identities[0].id}`)
    await expect(page.getByTestId('identity-audit-hidden')).toBeVisible()
    await expect(page.getByTestId('identity-audit')).toHaveCount(0)
    // ...an auditor's does, with the attestation in it.
    await gotoAs(page, org.users.auditor.email, `/${org.slug}/identities/${org.identities[0].id}`)
    await expect(page.getByTestId('identity-audit')).toContainText('identity.attest')
  })

  test('a leaver’s identities move to the backup owner, who is notified', async ({ page }) => {
    const org = await createTestOrg({ identities: 3, identity: (i, users) => (i === 0 ? { backupOwnerId: users.governance.id } : undefined) })
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    await expect(async () => {
      await page.getByRole('button', { name: `Remove ${org.users.member.name}` }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    await expect(page.getByRole('dialog')).toContainText('Their 1 identity goes to the backup owner')
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click()
    await expect(page.getByTestId('members')).not.toContainText(org.users.member.email)
    // the worker hands the identity over in the background
    await expect(async () => {
      await page.goto(`/${org.slug}/identities/${org.identities[0].id}`)
      await expect(page.getByText(org.users.governance.name).first()).toBeVisible({ timeout: 1000 })
      await expect(page.getByText('fallback', { exact: true })).toBeVisible({ timeout: 1000 })
    }).toPass({ timeout: 30_000 })
    await expect(page.getByTestId('identity-audit')).toContainText('identity.owner-fallback')

    await signInAs(page.request, org.users.governance.email)
    await page.goto(`/${org.slug}/my`)
    await expect(page.getByTestId('inbox-unread-count')).toHaveText('1')
    await page.getByTestId('inbox-bell').click()
    await expect(page.getByTestId('notifications')).toContainText(`You now own ${org.identities[0].name}`)
    await page.getByRole('button', { name: 'Mark all read' }).click()
    await expect(page.getByTestId('inbox-unread')).toHaveText('0 unread')
    await expect(page.getByTestId('inbox-unread-count')).toHaveCount(0)
  })

  test('an owner hands an identity off; nothing changes until the recipient accepts', async ({ page }) => {
    const org = await createTestOrg({ identities: 2 })
    const identity = org.identities[0]
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities/${identity.id}`)
    await expect(async () => {
      await page.getByRole('button', { name: 'Hand off…' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('combobox', { name: 'New owner' }).fill('govern')
    await dialog.getByRole('option', { name: new RegExp(org.users.governance.name) }).click()
    await expect(dialog.getByRole('combobox', { name: 'New owner' })).toHaveValue(`${org.users.governance.name} (${org.users.governance.email})`)
    await dialog.getByLabel('Note (optional)').fill('I moved to the data team')
    await dialog.getByRole('button', { name: 'Propose hand-off' }).click()
    await expect(page.getByTestId('pending-transfer')).toContainText(`Waiting for ${org.users.governance.name}`)

    await signInAs(page.request, org.users.governance.email)
    await page.goto(`/${org.slug}/my`)
    const incoming = page.getByTestId('incoming-transfers')
    await expect(incoming).toContainText(identity.name)
    await expect(incoming).toContainText('I moved to the data team')
    await incoming.getByRole('button', { name: `Accept ${identity.name}` }).click()
    await expect(page.getByTestId('incoming-transfers')).toHaveCount(0)
    await expect(page.getByTestId('my-identity').filter({ hasText: identity.name })).toBeVisible()
    await page.goto(`/${org.slug}/identities/${identity.id}`)
    await expect(page.getByTestId('identity-audit')).toContainText('identity.transfer-accept')
  })
})
