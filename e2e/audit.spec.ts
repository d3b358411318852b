import { createTestOrg, expect, gotoAs, orgIdOf, query, sql, test, type TestOrg } from './fixtures'

test.describe('audit log (auditor and admin journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 2 })
  })

  test('a row says what changed and opens for its details; an admin signs a checkpoint an auditor verifies; the columns fit 1440 px', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 })
    // A settings change to read back: the posture thresholds' old and new values.
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings/posture`)
    await page.getByLabel('Dormant after (days)').fill('45')
    await expect(async () => {
      await page.getByRole('button', { name: 'Save thresholds' }).click()
      await expect(page.getByText('Saved.')).toBeVisible({ timeout: 2000 })
    }).toPass()

    await page.goto(`/${org.slug}/audit`)
    await expect(page.getByTestId('audit-checkpoint')).toContainText('No signed checkpoint yet')
    await page.getByRole('button', { name: 'Sign checkpoint now' }).click()
    await expect(page.getByTestId('audit-checkpoint')).toContainText(/Latest signed checkpoint: event #\d+/)
    const [cp] = await query<{ seq: number; keyId: string }>(sql`SELECT "seq", "keyId" FROM "AuditCheckpoint" WHERE "orgId" = ${await orgIdOf(org.slug)}`)
    await expect(page.getByTestId('audit-checkpoint')).toContainText(`event #${cp.seq}`)
    await expect(page.getByTestId('audit-checkpoint')).toContainText(cp.keyId)

    const table = page.getByTestId('audit-table')
    const settingsRow = table.getByRole('row').filter({ hasText: 'settings.update' })
    await expect(settingsRow.getByTestId('audit-change')).toContainText('dormantDays: 90 → 45')

    // Every column fits at 1440 px: the table does not scroll sideways.
    const overflow = await table.evaluate((t) => (t.parentElement ? t.parentElement.scrollWidth - t.parentElement.clientWidth : 0))
    expect(overflow).toBeLessThanOrEqual(0)
    await page.screenshot({ path: test.info().outputPath('audit-1440.png'), fullPage: true })

    // The keyboard opens a row's details and Escape closes them.
    await settingsRow.getByRole('button', { name: /Details of event/ }).focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog', { name: /Event #\d+: settings\.update/ })
    await expect(dialog).toBeVisible()
    await expect(dialog).toContainText('settings.update')
    await expect(dialog).toContainText('dormantDays: 90 → 45')
    await expect(dialog.getByTestId('audit-details-fields')).toContainText('"dormantDays": 45')
    await expect(dialog).toContainText(org.users.admin.email)
    await page.screenshot({ path: test.info().outputPath('audit-details.png') })
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()
    await expect(settingsRow.getByRole('button', { name: /Details of event/ })).toBeFocused()

    // The auditor sees the checkpoint and verifies the chain through it, but is offered no signing.
    await gotoAs(page, org.users.auditor.email, `/${org.slug}/audit`)
    await expect(page.getByTestId('audit-checkpoint')).toContainText(`event #${cp.seq}`)
    await expect(page.getByRole('button', { name: 'Sign checkpoint now' })).toHaveCount(0)
    await expect(async () => {
      await page.getByRole('button', { name: 'Verify chain' }).click()
      await expect(page.getByTestId('verify-result')).toContainText(/Chain intact: \d+ events verified, 1 signed checkpoints/, { timeout: 5000 })
    }).toPass()
    const checkpointRow = table.getByRole('row').filter({ hasText: 'audit.checkpoint' })
    await checkpointRow.getByRole('button', { name: /Details of event/ }).click()
    await expect(page.getByTestId('audit-details-fields')).toContainText('signature')
    await expect(page.getByTestId('audit-details-fields')).toContainText(cp.keyId)
  })
})
