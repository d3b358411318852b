import { execFileSync } from 'node:child_process'
import pg from 'pg'
import { createTestOrg, expect, expectAccessible, gotoAs, insert, orgIdOf, query, rowId, sql, test, type TestOrg } from './fixtures'

// Ephemeral database credentials, admin journey: a template on a live PostgreSQL source (the test cluster's
// lease_e2e_target database, named to the app by E2E_LEASE_TARGET_URL, see playwright.config.ts), a break-glass
// credential from the identity page (the password shown once, and it really reads the granted table only), the lease
// on the identity page and the Credentials page, then revoked early and dropped by the worker.
const TARGET = process.env.E2E_LEASE_TARGET_URL ?? execFileSync('bash', ['scripts/pg.sh', 'url', 'lease_e2e_target'], { encoding: 'utf8' }).trim()

test.describe('Ephemeral credentials (admin journey)', () => {
  let org: TestOrg
  let admin: pg.Client
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 2 })
    await insert('Source', [
      {
        id: rowId(),
        orgId: await orgIdOf(org.slug),
        name: 'Shop database',
        type: 'postgresql',
        secretRef: 'E2E_LEASE_TARGET_URL',
        config: '{}',
        status: 'active',
        createdAt: new Date(),
      },
    ])
    admin = new pg.Client({ connectionString: TARGET })
    await admin.connect()
    await admin.query('CREATE SCHEMA IF NOT EXISTS shop')
    await admin.query('CREATE TABLE IF NOT EXISTS shop.orders (id int)')
    await admin.query('CREATE TABLE IF NOT EXISTS shop.customers (id int)')
  })
  test.afterAll(async () => {
    await admin?.end()
  })

  test('an admin defines a template, takes a break-glass credential on the identity page, sees the lease, and revokes it', async ({ page }) => {
    test.setTimeout(120_000)
    const bot = org.identities[0]
    await gotoAs(page, org.users.admin.email, `/${org.slug}`)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click()
    await expect(page.getByRole('heading', { name: 'Credentials', exact: true })).toBeVisible()
    await expect(page.getByTestId('templates-table')).toContainText('No credential templates yet')
    await page.screenshot({ path: test.info().outputPath('credentials-empty.png'), fullPage: true })
    await expectAccessible(page, 'credentials (empty)')

    await expect(async () => {
      await page.getByTestId('new-template').first().click()
      await expect(page.getByTestId('new-template-dialog')).toBeVisible({ timeout: 1000 })
    }).toPass()
    const dialog = page.getByTestId('new-template-dialog')
    await dialog.getByLabel('Name').fill('Orders reader')
    await dialog.getByTestId('template-grants').fill('SELECT ON shop.orders\nCONNECT ON TABLE shop.orders')
    await dialog.getByTestId('new-template-confirm').click()
    await expect(dialog.getByText('CONNECT cannot be granted on a table.')).toBeVisible()
    // A template names who may be given its credentials: without it, anyone allowed to ask could take it.
    await expect(dialog.getByText('Choose the identity.')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath('credentials-template-errors.png'), fullPage: true })
    await dialog.getByTestId('template-grants').fill('SELECT ON shop.orders')
    await dialog.getByLabel('Identity', { exact: true }).selectOption(bot.id)
    await dialog.getByTestId('new-template-confirm').click()
    await expect(dialog).toBeHidden()
    const row = page.getByTestId('template-Orders reader')
    await expect(row).toContainText('SELECT ON TABLE "shop"."orders"')
    await expect(row).toContainText('15 min / 1 h')
    await expect(row.getByRole('link', { name: bot.name })).toBeVisible()

    // Break-glass on the identity page.
    await page.goto(`/${org.slug}/identities/${bot.id}`)
    const section = page.getByTestId('identity-leases')
    await expect(section.getByTestId('identity-leases-empty')).toBeVisible()
    await expect(async () => {
      await page.getByTestId('lease-request').click()
      await expect(page.getByTestId('lease-request-dialog')).toBeVisible({ timeout: 1000 })
    }).toPass()
    const request = page.getByTestId('lease-request-dialog')
    await request.getByTestId('lease-request-confirm').click()
    await expect(request.getByText('Say why')).toBeVisible()
    await request.getByTestId('lease-justification').fill('INC-4711: check the stuck orders')
    await request.getByTestId('lease-request-confirm').click()
    const username = (await request.getByTestId('lease-username').textContent())!.trim()
    const password = (await request.getByTestId('lease-password').textContent())!.trim()
    expect(username).toMatch(/^cust_e2e_bot_000_[0-9a-f]{10}$/)
    expect(password.length).toBeGreaterThanOrEqual(20)
    await expect(request.getByTestId('lease-ttl')).toContainText('15 min')
    await page.screenshot({ path: test.info().outputPath('lease-issued.png'), fullPage: true })
    // The role reads exactly what the template grants.
    const u = new URL(TARGET)
    const as = new pg.Client({ host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), user: username, password })
    await as.connect()
    await as.query('SELECT * FROM shop.orders')
    await expect(as.query('SELECT * FROM shop.customers')).rejects.toThrow(/permission denied/)
    await as.end()
    await request.getByRole('button', { name: 'Done' }).click()

    const lease = section.locator(`[data-role="${username}"]`)
    await expect(lease).toHaveAttribute('data-status', 'active')
    await expect(lease).toContainText('INC-4711: check the stuck orders')
    await expect(page.locator('body')).not.toContainText(password)
    await page.screenshot({ path: test.info().outputPath('identity-leases-active.png'), fullPage: true })
    await expectAccessible(page, 'identity page with a lease')

    await page.goto(`/${org.slug}/credentials`)
    await expect(page.getByTestId('active-leases-table')).toContainText(username)
    await page.screenshot({ path: test.info().outputPath('credentials-active.png'), fullPage: true })
    await expectAccessible(page, 'credentials with an active lease')

    // Revoked early: the worker drops the role; the lease moves to "Recent" on the identity page.
    await page.goto(`/${org.slug}/identities/${bot.id}`)
    await lease.getByRole('button', { name: 'Revoke' }).click()
    await page.getByTestId('lease-revoke-confirm').click()
    await expect(async () => {
      await page.reload()
      await expect(section.getByTestId('identity-leases-recent').locator(`[data-role="${username}"]`)).toHaveAttribute('data-status', 'revoked', {
        timeout: 1000,
      })
    }).toPass({ timeout: 60_000 })
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])
    expect(rowCount).toBe(0)
    await page.screenshot({ path: test.info().outputPath('identity-leases-revoked.png'), fullPage: true })

    // A lease whose role could not be dropped (as the job leaves it after its attempts): listed as stuck with what
    // blocks it; the admin forgets it with a reason.
    const orgId = await orgIdOf(org.slug)
    const [{ id: templateId }] = await query<{ id: string }>(sql`SELECT "id" FROM "CredentialTemplate" WHERE "orgId" = ${orgId}`)
    const stuckId = rowId('lease_')
    const now = new Date()
    await insert('Lease', [
      {
        id: stuckId,
        orgId,
        templateId,
        identityId: bot.id,
        roleName: 'cust_e2e_bot_000_stuck00001',
        requestedByType: 'workload',
        requestedById: bot.id,
        requestedByLabel: bot.name,
        task: 'nightly export',
        issuedAt: now,
        expiresAt: now,
        maxExpiresAt: now,
        status: 'stuck',
        endReason: 'expired',
        endAttempts: 5,
        lastError: 'role "cust_e2e_bot_000_stuck00001" cannot be dropped because some objects depend on it: 1 object in database reports',
        renewals: 0,
        endGeneration: 0,
      },
    ])
    await page.goto(`/${org.slug}/credentials`)
    const stuck = page.getByTestId(`stuck-${stuckId}`)
    await expect(stuck).toContainText('1 object in database reports')
    await page.screenshot({ path: test.info().outputPath('credentials-stuck.png'), fullPage: true })
    await expectAccessible(page, 'credentials with a stuck lease')
    await expect(async () => {
      await page.getByTestId(`lease-forget-${stuckId}`).click()
      await expect(page.getByTestId('lease-forget-dialog')).toBeVisible({ timeout: 1000 })
    }).toPass()
    await page.getByTestId('lease-forget-dialog').getByLabel('Why').fill('The DBA dropped the role by hand (ticket 88)')
    await page.getByTestId('lease-forget-confirm').click()
    await expect(page.getByTestId('stuck-leases')).toBeHidden()
    await expect(page.getByTestId('ended-leases-table')).toContainText('cust_e2e_bot_000_stuck00001')
  })
})
