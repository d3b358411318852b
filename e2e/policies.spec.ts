import { createTestOrg, expect, expectAccessible, gotoAs, test, type TestOrg } from './fixtures'

test.describe('Organization policies (admin journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
  })

  test('an admin writes a policy (an invalid one is refused with the validator’s message), sees the version and its diff, and the simulator shows deny', async ({
    page,
  }) => {
    test.setTimeout(120_000)
    const [owned, unowned] = org.identities
    await gotoAs(page, org.users.admin.email, `/${org.slug}`)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policies' }).click()
    await expect(page.getByRole('heading', { name: 'Policies', exact: true })).toBeVisible()
    await expect(page.getByText('No versions yet')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath('policies-empty.png'), fullPage: true })
    await expectAccessible(page, 'policies (empty)')

    // Invalid text: refused with the validator's message and its line and column; nothing saved.
    const input = page.getByTestId('policy-input')
    await input.fill('forbid (principal, action, resource) when { principal.ownr };')
    await page.getByTestId('policy-save').click()
    await expect(page.getByTestId('policy-errors')).toContainText('Line 1, column')
    await expect(page.getByTestId('policy-errors')).toContainText('did you mean `owned`?')
    await page.screenshot({ path: test.info().outputPath('policies-invalid.png'), fullPage: true })
    await expect(page.getByText('No versions yet')).toBeVisible()

    // A ready-made example, saved.
    await input.fill('')
    await page.getByTestId('example-owner-required').click()
    await expect(input).toHaveValue(/@id\("owner-required"\)/)
    await page.getByTestId('policy-save').click()
    await expect(page.getByTestId('policy-saved')).toContainText('Saved version 1: Added owner-required.')
    await expect(page.getByTestId('policy-version')).toHaveCount(1)
    await page.getByTestId('policy-version').first().locator('summary').click()
    await expect(page.getByTestId('policy-diff')).toContainText('forbid (principal, action == Action::"exchange", resource)')
    await expect(page.getByTestId('policy-version').first()).toContainText(org.users.admin.email)

    // The simulator: the unowned identity is denied by owner-required, the owned one allowed.
    const sim = page.getByTestId('simulator')
    await sim.getByTestId('sim-identity').selectOption(unowned.id)
    await sim.getByTestId('sim-run').click()
    await expect(sim.getByTestId('sim-decision')).toHaveText('Denied by owner-required.')
    await page.screenshot({ path: test.info().outputPath('policies-simulator-deny.png'), fullPage: true })
    await sim.getByTestId('sim-identity').selectOption(owned.id)
    await sim.getByTestId('sim-run').click()
    await expect(sim.getByTestId('sim-decision')).toHaveText('Allowed: no policy forbids it.')
    await expectAccessible(page, 'policies (one version)')

    // A gateway call: the unusual-use example refuses an identity with an open finding; the simulator says so.
    await input.fill('')
    await page.getByTestId('example-unusual-gateway-use').click()
    await page.getByTestId('policy-save').click()
    await expect(page.getByTestId('policy-saved')).toContainText('Saved version 2')
    await sim.getByTestId('sim-action').selectOption('gateway_call')
    await expect(sim.getByTestId('sim-source-ip')).toHaveValue('10.0.0.7')
    await sim.getByTestId('sim-unusual').check()
    await sim.getByTestId('sim-run').click()
    await expect(sim.getByTestId('sim-decision')).toHaveText('Denied by unusual-gateway-use.')
    await page.screenshot({ path: test.info().outputPath('policies-simulator-gateway.png'), fullPage: true })
    await sim.getByTestId('sim-unusual').uncheck()
    await sim.getByTestId('sim-run').click()
    await expect(sim.getByTestId('sim-decision')).toHaveText('Allowed: no policy forbids it.')
    // A bad address is refused with a clear message, nothing decided.
    await sim.getByTestId('sim-source-ip').fill('10.0.0.300')
    await sim.getByTestId('sim-run').click()
    await expect(sim).toContainText('An IPv4 or IPv6 address')
    await sim.getByTestId('sim-source-ip').fill('10.0.0.7')
    await expectAccessible(page, 'policies (gateway simulation)')

    // Export: the current text as a .cedar file.
    const download = page.waitForEvent('download')
    await page.getByTestId('export-policies').click()
    expect((await download).suggestedFilename()).toBe(`${org.slug}-policies-v2.cedar`)
  })

  test('a member reads the policies and may simulate, but has no editor', async ({ page }) => {
    await gotoAs(page, org.users.member.email, `/${org.slug}/policies`)
    await expect(page.getByRole('heading', { name: 'Policies', exact: true })).toBeVisible()
    await expect(page.getByTestId('policy-input')).toHaveCount(0)
    await expect(page.getByTestId('policy-text')).toBeVisible()
    await expect(page.getByTestId('simulator')).toBeVisible()
  })
})
