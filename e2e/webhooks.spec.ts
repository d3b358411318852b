import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verifyWebhook } from '../lib/webhooks/signature'
import { createTestOrg, expect, gotoAs, test, type TestOrg } from './fixtures'

test.describe('Webhooks (admin journey)', () => {
  let org: TestOrg
  let server: Server
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = []
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 2 })
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({ headers: req.headers, body })
        res.end('ok')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  })
  test.afterAll(() => new Promise<void>((r) => server.close(() => r())))

  test('an admin adds an endpoint, sees its secret once, sends a test event and sees it delivered in the log', async ({ page }) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/custodian`
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    await page.getByRole('link', { name: 'Webhooks →' }).click()
    await expect(page.getByRole('heading', { name: 'Webhooks', exact: true })).toBeVisible()
    await expect(page.getByTestId('webhooks')).toContainText('No webhooks yet')
    await page.screenshot({ path: test.info().outputPath('webhooks-empty.png'), fullPage: true })

    const dialog = page.getByTestId('create-webhook-dialog')
    await expect(async () => {
      await page.getByTestId('create-webhook').click()
      await expect(dialog).toBeVisible({ timeout: 2000 })
    }).toPass()
    await dialog.getByLabel('Endpoint URL').fill(url)
    // No event chosen: the form says so.
    await dialog.getByTestId('create-webhook-confirm').click()
    await expect(dialog.getByText('Choose at least one event.')).toBeVisible()
    await dialog.getByLabel('Description (optional)').fill('Ticketing bridge')
    await dialog.getByRole('checkbox', { name: /identity\.created/ }).check()
    await dialog.getByRole('checkbox', { name: /token\.leaked/ }).check()
    await page.screenshot({ path: test.info().outputPath('webhooks-create.png') })
    await dialog.getByTestId('create-webhook-confirm').click()
    const secret = (await dialog.getByTestId('webhook-secret').textContent())!.trim()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/)
    await dialog.getByRole('button', { name: 'Done' }).click()
    const table = page.getByTestId('webhooks')
    await expect(table).toContainText(url)
    await expect(table).toContainText('identity.created, token.leaked')
    await expect(page.getByTestId('webhook-deliveries')).toContainText('Nothing delivered yet')

    await table.getByRole('button', { name: `Send a test event to ${url}` }).click()
    await expect(table).toContainText('Test queued')
    const log = page.getByTestId('webhook-deliveries')
    await expect(async () => {
      await page.reload()
      await expect(log.locator('[data-delivery-status="delivered"]')).toHaveCount(1, { timeout: 1000 })
    }).toPass({ timeout: 30_000 })
    await expect(log).toContainText('webhook.test')
    await expect(log).toContainText('200')
    expect(received).toHaveLength(1)
    const [r] = received
    expect(JSON.parse(r.body)).toMatchObject({ type: 'webhook.test' })
    const h = (k: string) => r.headers[k] as string
    expect(verifyWebhook(secret, { id: h('webhook-id'), timestamp: h('webhook-timestamp'), signature: h('webhook-signature') }, r.body)).toBe(true)

    await log.getByTestId('redeliver').click()
    await expect(async () => {
      await page.reload()
      await expect(log.locator('[data-delivery-status="delivered"]')).toHaveCount(2, { timeout: 1000 })
    }).toPass({ timeout: 30_000 })
    await expect(log).toContainText('redelivery')
    expect(received).toHaveLength(2)
    expect(received[1].headers['webhook-id']).toBe(r.headers['webhook-id'])
    await page.screenshot({ path: test.info().outputPath('webhooks.png'), fullPage: true })

    await table.getByRole('button', { name: `Disable ${url}` }).click()
    await expect(table).toContainText('disabled')
    await table.getByRole('button', { name: `Delete ${url}` }).click()
    await page.getByTestId('delete-webhook-dialog').getByRole('button', { name: 'Delete' }).click()
    await expect(table).toContainText('No webhooks yet')
  })
})
