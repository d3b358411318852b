import { createTestOrg, expect, expectAccessible, gotoAs, orgIdOf, query, sql, test, type TestOrg } from './fixtures'

test.describe('Workload federation (admin journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
  })

  test('an admin registers the GitHub preset, writes a trust rule, tests a token, and the identity shows its federated credential', async ({ page }) => {
    test.setTimeout(120_000)
    const deploy = org.identities[0]
    await gotoAs(page, org.users.admin.email, `/${org.slug}`)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Federation' }).click()
    await expect(page.getByRole('heading', { name: 'Workload federation' })).toBeVisible()
    await expect(page.getByText('No trust providers yet')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath('federation-empty.png'), fullPage: true })
    await expectAccessible(page, 'federation (empty)')

    // The GitHub preset: the issuer is GitHub's, the audience names this organization.
    await page.getByTestId('new-provider').first().click()
    await expect(page.getByRole('heading', { name: 'New trust provider' })).toBeVisible()
    const form = page.getByTestId('provider-form')
    await expect(form.getByTestId('preset-github')).toBeChecked()
    await expect(form.getByRole('textbox', { name: 'Issuer' })).toHaveValue('https://token.actions.githubusercontent.com')
    await expect(form.getByRole('textbox', { name: 'Audiences' })).toHaveValue(new RegExp(`/${org.slug}$`))
    await page.screenshot({ path: test.info().outputPath('federation-new-provider.png'), fullPage: true })
    await expectAccessible(page, 'new trust provider')
    await form.getByTestId('provider-save').click()
    await expect(page.getByTestId('provider-name')).toHaveText('GitHub Actions')
    await expect(page.getByTestId('no-trust-rules')).toBeVisible()

    // A trust rule: bad input first (the repository id is GitHub's number, not the name).
    await page.getByTestId('add-trust-rule').click()
    const dialog = page.getByTestId('trust-rule-dialog')
    await dialog.getByLabel('Name').fill('payments deploy from main')
    await dialog.getByLabel('Identity the workload becomes').selectOption(deploy.id)
    await dialog.getByLabel('Repository id').fill('acme/payments')
    await dialog.getByTestId('trust-rule-confirm').click()
    await expect(dialog.getByText('The repository id is a number')).toBeVisible()
    await dialog.getByLabel('Repository id').fill('892341')
    await dialog.getByLabel('Owner id (optional)').fill('1001')
    await page.screenshot({ path: test.info().outputPath('federation-rule-dialog.png'), fullPage: true })
    await dialog.getByTestId('trust-rule-confirm').click()
    await expect(dialog).toBeHidden()
    const row = page.getByTestId('trust-rule-row')
    await expect(row).toHaveCount(1)
    await expect(row).toContainText(deploy.name)
    await expect(row).toContainText('context.claims.repository_id == "892341"')
    await expect(row).toContainText('context.claims.ref == "refs/heads/main"')

    // Test a token: the claims of a run on main match; a fork with the same name but another id does not.
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      sub: 'repo:acme/payments:ref:refs/heads/main',
      repository: 'acme/payments',
      repository_id: '892341',
      repository_owner_id: '1001',
      ref: 'refs/heads/main',
    }
    const testForm = page.getByTestId('test-token-form')
    await testForm.getByTestId('test-token-input').fill(JSON.stringify(claims, null, 2))
    await testForm.getByTestId('test-token-submit').click()
    await expect(page.getByTestId('test-token-outcome')).toHaveText(`The exchange would issue a token for ${deploy.name}.`)
    await expect(page.getByTestId('test-token-rule')).toContainText('matches')
    await page.screenshot({ path: test.info().outputPath('federation-provider.png'), fullPage: true })
    await expectAccessible(page, 'trust provider')

    await testForm.getByTestId('test-token-input').fill(JSON.stringify({ ...claims, repository_id: '777' }))
    await testForm.getByTestId('test-token-submit').click()
    await expect(page.getByTestId('test-token-outcome')).toContainText('No rule matches')
    await expect(page.getByTestId('test-token-rule')).toContainText('does not match')
    // Not JSON, not a JWT: a message, nothing sent.
    await testForm.getByTestId('test-token-input').fill('{ not json')
    await testForm.getByTestId('test-token-submit').click()
    await expect(testForm.getByText('These claims are not valid JSON')).toBeVisible()

    // Audited, and the identity now has a federated credential.
    const orgId = await orgIdOf(org.slug)
    const audit = await query<{ action: string }>(
      sql`SELECT "action" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" LIKE 'federation.%' ORDER BY "seq"`,
    )
    expect(audit.map((a) => a.action)).toEqual(['federation.provider-create', 'federation.rule-create'])
    await row.getByRole('link', { name: deploy.name }).click()
    await expect(page.getByRole('heading', { name: deploy.name })).toBeVisible()
    await expect(page.getByTestId('credentials')).toContainText('federated')
    await expect(page.getByTestId('credentials')).toContainText('GitHub Actions: payments deploy from main')
  })

  test('a member sees the providers but cannot add one or change rules', async ({ page }) => {
    await gotoAs(page, org.users.member.email, `/${org.slug}/federation`)
    await expect(page.getByRole('heading', { name: 'Workload federation' })).toBeVisible()
    await expect(page.getByTestId('new-provider')).toHaveCount(0)
    await page.goto(`/${org.slug}/federation/new`)
    await expect(page.getByText("You don't have access to adding trust providers")).toBeVisible()
  })
})
