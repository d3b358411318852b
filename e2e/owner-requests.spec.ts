import { randomBytes } from 'node:crypto'
import { createTestOrg, execute, expect, gotoAs, insert, query, sql, test, type TestOrg } from './fixtures'

const id = () => `orq${randomBytes(10).toString('hex')}`
const DAY = 86_400_000

/** Grants (admin privileged; write and read not) and a credential on the identity, on its simulated demo source. */
async function giveAccess(org: TestOrg, identityId: string) {
  const [{ id: orgId }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${org.slug}`)
  const [{ sourceId }] = await query<{ sourceId: string }>(sql`SELECT "sourceId" FROM "Identity" WHERE "id" = ${identityId}`)
  const now = new Date()
  const resourceId = id()
  await insert('Resource', [
    { id: resourceId, orgId, sourceId, externalId: `repo-${resourceId}`, name: 'acme/payments', type: 'repository', environment: 'production', createdAt: now },
  ])
  for (const [name, privileged] of [
    ['admin', true],
    ['write', false],
    ['read', false],
  ] as const) {
    const e = id()
    await insert('Entitlement', [{ id: e, orgId, sourceId, resourceId, externalId: `${resourceId}:${name}`, name, privileged, createdAt: now }])
    await insert('Grant', [{ id: id(), orgId, identityId, entitlementId: e, privileged, createdAt: new Date(now.getTime() - 300 * DAY), status: 'active' }])
  }
  await insert('Credential', [
    {
      id: id(),
      orgId,
      identityId,
      kind: 'token',
      label: 'deploy token',
      fingerprint: randomBytes(32).toString('hex'),
      createdAt: new Date(now.getTime() - 500 * DAY),
      status: 'active',
    },
  ])
  await execute(sql`UPDATE "Identity" SET "grantCount" = 3, "privileged" = ${true}, "credentialCount" = 1 WHERE "id" = ${identityId}`)
}

test.describe('owner requests (owner and governance journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    // identities[0] is owned by the member (see createTestOrg).
    org = await createTestOrg({ identities: 2 })
    await giveAccess(org, org.identities[0].id)
  })

  test('an owner asks to revoke a grant; governance approves from Requests; the grant is revoked on the simulated source', async ({ page, browser }) => {
    const ident = org.identities[0]
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities/${ident.id}`)
    const grants = page.getByTestId('grants')
    const write = grants.locator('tr', { hasText: 'write' })
    // Owners ask; they have no direct remediation controls.
    await expect(page.getByRole('button', { name: 'Revoke write on acme/payments' })).toHaveCount(0)
    await expect(async () => {
      await write.getByRole('button', { name: 'Request revocation of write on acme/payments' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const dialog = page.getByRole('dialog')
    await expect(dialog).toContainText('Ask governance to revoke')
    await dialog.getByLabel('Justification (required)').fill('The nightly export no longer writes to payments')
    await dialog.getByRole('button', { name: 'Send request' }).click()
    await expect(dialog).toBeHidden()
    await expect(write.getByTestId('request-status')).toHaveText('revocation requested')
    await expect(write.getByRole('button', { name: /Request revocation/ })).toHaveCount(0)
    await page.screenshot({ path: test.info().outputPath('owner-identity.png'), fullPage: true })

    // Governance: told in the inbox, finds it under Requests, approves in one click.
    const gov = await browser.newContext()
    const g = await gov.newPage()
    await gotoAs(g, org.users.governance.email, `/${org.slug}/inbox`)
    await expect(g.getByRole('main')).toContainText(`${org.users.member.name} asks to revoke write on acme/payments of ${ident.name}`)
    await expect(g.getByTestId('requests-waiting')).toContainText('1')
    await g
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /Requests/ })
      .click()
    const pending = g.getByTestId('pending-requests')
    await expect(pending).toContainText('The nightly export no longer writes to payments')
    await g.screenshot({ path: test.info().outputPath('requests.png'), fullPage: true })
    await expect(async () => {
      await pending.getByRole('button', { name: `Approve: Revoke grant write on acme/payments of ${ident.name}` }).click()
      await expect(g.getByTestId('no-pending-requests')).toBeVisible({ timeout: 3000 })
    }).toPass()
    await expect(g.getByTestId('requests')).toContainText('approved')

    // The normal remediation path runs: the worker applies it on the simulated source.
    await g.goto(`/${org.slug}/identities/${ident.id}`)
    const applied = g.getByTestId('grants').locator('tr', { hasText: 'write' })
    await expect(applied.getByTestId('remediation-status')).toHaveAttribute('data-status', 'applied', { timeout: 30_000 })
    await expect(applied).toContainText('revoked')
    await gov.close()

    // The owner is told.
    await page.goto(`/${org.slug}/inbox`)
    await expect(page.getByRole('main')).toContainText(`${org.users.governance.name} approved your request on ${ident.name}`)
    await page.goto(`/${org.slug}/requests`)
    await expect(page.getByTestId('requests')).toContainText('applied')
  })

  test('with the organization’s setting on, the owner revokes a non-privileged grant at once; privileged access still needs approval', async ({ page }) => {
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    const setting = page.getByRole('form', { name: 'Owner actions' })
    await expect(async () => {
      await setting.getByLabel(/Owners revoke and rotate non-privileged access directly/).check()
      await setting.getByRole('button', { name: 'Save' }).click()
      await expect(setting.getByRole('status')).toHaveText('Saved.', { timeout: 2000 })
    }).toPass()

    const ident = org.identities[0]
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities/${ident.id}`)
    const grants = page.getByTestId('grants')
    const read = grants.locator('tr', { hasText: 'read' })
    await expect(async () => {
      await read.getByRole('button', { name: 'Revoke read on acme/payments' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    await expect(page.getByRole('dialog')).toContainText('lets owners revoke non-privileged access directly')
    await page.getByRole('dialog').getByLabel('Justification (required)').fill('Read access moved to the replica role')
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await expect(read.getByTestId('remediation-status')).toHaveAttribute('data-status', 'applied', { timeout: 30_000 })
    await expect(read).toContainText('revoked')
    // The privileged grant, and the credentials of this privileged identity, still go through a request.
    await expect(grants.locator('tr', { hasText: 'admin' }).getByRole('button', { name: 'Request revocation of admin on acme/payments' })).toBeVisible()
    await expect(page.getByTestId('credentials').getByRole('button', { name: 'Request rotation of token · deploy token' })).toBeVisible()
    const [{ n }] = await query<{ n: number | string }>(
      sql`SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "action" = 'owner-request.direct' AND "targetId" = ${ident.id}`,
    )
    expect(Number(n)).toBe(1)
  })
})
