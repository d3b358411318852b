import { createTestOrg, expect, gotoAs, orgIdOf, query, signInAs, sql, test, type TestOrg } from './fixtures'

test.describe('scheduled reports (admin journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 1 })
  })

  test('an admin schedules the monthly inventory snapshot for the auditor, sees it listed, then stops it; both are audited', async ({ page }) => {
    const orgId = await orgIdOf(org.slug)
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    await page.getByRole('link', { name: 'Scheduled reports →' }).click()
    await expect(page.getByRole('heading', { name: 'Scheduled reports', exact: true })).toBeVisible()
    const choices = page.getByTestId('recipient-choices')
    // Only people who may download reports are offered: never the member.
    await expect(choices).toContainText(org.users.auditor.email)
    await expect(choices).not.toContainText(org.users.member.email)

    // Nobody chosen: the form says what to do and nothing is saved.
    await expect(async () => {
      await page.getByRole('button', { name: 'Schedule report' }).click()
      await expect(page.getByText('Choose at least one person to e-mail.')).toBeVisible({ timeout: 2000 })
    }).toPass()

    await page.getByLabel('Report', { exact: true }).selectOption({ label: 'Inventory snapshot, every month (the 1st, UTC)' })
    await choices.getByLabel(new RegExp(org.users.auditor.name)).check()
    await page.getByRole('button', { name: 'Schedule report' }).click()
    const table = page.getByTestId('report-schedules')
    await expect(table).toContainText('Inventory snapshot, every month (the 1st, UTC)')
    await expect(table).toContainText(`${org.users.auditor.name} (${org.users.auditor.email})`)
    await expect(table).toContainText('not yet')
    await page.screenshot({ path: test.info().outputPath('settings-reports.png'), fullPage: true })
    const [row] = await query<{ report: string; cadence: string; recipients: string }>(
      sql`SELECT "report", "cadence", "recipients" FROM "ReportSchedule" WHERE "orgId" = ${orgId}`,
    )
    expect(row).toEqual({ report: 'inventory', cadence: 'monthly', recipients: JSON.stringify([org.users.auditor.id]) })

    await table.getByRole('button', { name: /Stop sending: Inventory snapshot/ }).click()
    await page.getByRole('button', { name: 'Stop sending', exact: true }).click()
    await expect(table).toContainText('No scheduled reports')
    const audit = await query<{ action: string; actorId: string }>(
      sql`SELECT "action", "actorId" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" LIKE ${'report-schedule.%'} ORDER BY "seq"`,
    )
    expect(audit).toEqual([
      { action: 'report-schedule.create', actorId: org.users.admin.id },
      { action: 'report-schedule.delete', actorId: org.users.admin.id },
    ])
  })

  test('governance and auditors cannot open the page', async ({ page }) => {
    for (const who of [org.users.governance, org.users.auditor]) {
      await gotoAs(page, who.email, `/${org.slug}/settings/reports`)
      await expect(page.getByTestId('forbidden')).toContainText('scheduled reports')
    }
  })

  test('a signed-out person following an e-mailed report link signs in, then gets the download', async ({ page, request }) => {
    const link = `/api/orgs/${org.slug}/reports/inventory`
    await page.goto(link)
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/)
    const back = new URL(page.url()).searchParams.get('callbackUrl')
    expect(back).toBe(link)
    await expect(page.getByText('demo mode — not for production')).toBeVisible()
    // Signed in (the sign-in form posts the same callbackUrl), the link now downloads.
    await signInAs(page.context().request, org.users.auditor.email)
    const download = page.waitForEvent('download')
    await page.goto(back!).catch(() => {}) // Playwright reports a navigation that became a download as an error
    expect((await download).suggestedFilename()).toMatch(/^custodian-.*-inventory-\d{4}-\d{2}-\d{2}\.csv$/)
    // A script without a session (not a page visit) still gets 401, not a sign-in page.
    expect((await request.get(link, { maxRedirects: 0 })).status()).toBe(401)
  })
})
