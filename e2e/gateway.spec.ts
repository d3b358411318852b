import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTestOrg, expect, expectAccessible, gotoAs, query, sql, test, type TestOrg } from './fixtures'

/** A real upstream on loopback: answers JSON and keeps the headers of each request it received. */
async function startUpstream() {
  const received: { method: string; url: string; headers: http.IncomingHttpHeaders }[] = []
  const server = http.createServer((req, res) => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true, path: req.url }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { received, port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(r)) }
}

test.describe('Gateway management (admin journey)', () => {
  let org: TestOrg
  let upstream: Awaited<ReturnType<typeof startUpstream>>
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
    upstream = await startUpstream()
  })
  test.afterAll(async () => {
    await upstream?.close()
  })

  test('an admin creates a route and a rule, issues a gateway token, calls through the gateway, and the identity page shows the calls', async ({
    page,
    request,
  }) => {
    // A long journey (seven pages, calls through the gateway and its batched recording): 38 s on a quiet machine.
    test.setTimeout(150_000)
    const bot = org.identities[0]
    await gotoAs(page, org.users.admin.email, `/${org.slug}`)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Gateway' }).click()
    await expect(page.getByRole('heading', { name: 'Gateway', exact: true })).toBeVisible()
    await expect(page.getByTestId('routes-table')).toContainText('No routes yet')
    await page.screenshot({ path: test.info().outputPath('gateway-empty.png'), fullPage: true })
    await expectAccessible(page, 'gateway routes (empty)')

    // The new-route form: bad input is refused with messages on the fields.
    await page.getByTestId('new-route').first().click()
    await expect(page.getByRole('heading', { name: 'New route' })).toBeVisible()
    const form = page.getByTestId('route-form')
    await form.getByLabel('Name').fill('Orders API')
    await form.getByLabel('Path prefix at the gateway').fill('/Orders/')
    await form.getByLabel('Upstream base URL').fill('ftp://orders.internal')
    await form.getByLabel('Upstream authentication').selectOption('header')
    await form.getByLabel('Secret reference').fill('sk_live_123')
    await form.getByTestId('route-save').click()
    await expect(form.getByText('Write the prefix as /segment')).toBeVisible()
    await expect(form.getByText('Enter an http:// or https:// URL')).toBeVisible()
    await expect(form.getByText('Name an environment variable')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath('gateway-new-route-errors.png'), fullPage: true })
    await expectAccessible(page, 'new gateway route')

    await form.getByLabel('Path prefix at the gateway').fill('/orders')
    await form.getByLabel('Upstream base URL').fill(`http://127.0.0.1:${upstream.port}/v1`)
    await form.getByLabel('Header', { exact: true }).fill('X-Api-Key')
    await form.getByLabel('Value prefix (optional)').fill('')
    await form.getByLabel('Secret reference').fill('E2E_GATEWAY_UPSTREAM_KEY')
    await form.getByTestId('route-save').click()
    await expect(page.getByTestId('route-name')).toHaveText('Orders API')
    await expect(page.getByTestId('route-settings')).toContainText('$E2E_GATEWAY_UPSTREAM_KEY')
    await expect(page.getByTestId('no-rules')).toBeVisible()
    const routeId = page.url().split('/').at(-1)!

    // A rule for one identity: GET and POST on /items/*.
    await expect(async () => {
      await page.getByTestId('add-rule').click()
      await expect(page.getByTestId('add-rule-dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const dialog = page.getByTestId('add-rule-dialog')
    await dialog.getByLabel('Identity', { exact: true }).selectOption(bot.id)
    await dialog.getByLabel('POST').check()
    await dialog.getByLabel('Paths').fill('/items/*')
    await dialog.getByTestId('add-rule-confirm').click()
    await expect(dialog).toBeHidden()
    const rules = page.getByTestId('rules-table')
    await expect(rules).toContainText(bot.name)
    await expect(rules).toContainText('GET, POST')
    await expect(rules).toContainText('privileged')
    // Mirrored in the inventory: an entitlement of the route's resource, granted to the identity.
    const [grant] = await query<{ name: string; status: string }>(
      sql`SELECT e."name", g."status" FROM "Grant" g JOIN "Entitlement" e ON e."id" = g."entitlementId" JOIN "GatewayRoute" r ON r."resourceId" = e."resourceId" WHERE r."id" = ${routeId} AND g."identityId" = ${bot.id}`,
    )
    expect(grant).toEqual({ name: 'GET, POST /items/*', status: 'active' })

    // A gateway token for the identity, shown once; the REST API refuses it by name.
    await page.getByTestId('issue-gateway-token').click()
    const issue = page.getByTestId('issue-gateway-token-dialog')
    await issue.getByLabel('Identity').selectOption(bot.id)
    await issue.getByLabel('Name').fill('orders worker')
    await issue.getByTestId('issue-gateway-token-confirm').click()
    const token = (await issue.getByTestId('new-gateway-token').textContent())!.trim()
    expect(token).toMatch(/^cust_[0-9A-Za-z]{42}$/)
    await issue.getByRole('button', { name: 'Done' }).click()
    const api = await request.get('/api/v1/identities', { headers: { authorization: `Bearer ${token}` } })
    expect(api.status()).toBe(403)
    expect((await api.json()).detail).toMatch(/gateway token/)

    // Calls through the app's real gateway process: one the rule allows reaches the upstream with the route's key and
    // without the caller's token; one it does not allow is refused there. Both are recorded (in batches, within seconds).
    const gateway = `http://127.0.0.1:${process.env.E2E_GATEWAY_PORT}`
    const auth = { authorization: `Bearer ${token}` }
    await expect(async () => {
      const allowed = await request.get(`${gateway}/orders/items/42?expand=1`, { headers: auth })
      expect(allowed.status()).toBe(200)
      expect(await allowed.json()).toEqual({ ok: true, path: '/v1/items/42?expand=1' })
    }).toPass({ timeout: 15_000 })
    const seen = upstream.received.at(-1)!
    expect(seen.headers['x-api-key']).toBe(process.env.E2E_GATEWAY_UPSTREAM_KEY)
    expect(seen.headers.authorization).toBeUndefined()
    expect(JSON.stringify(seen.headers)).not.toContain(token)
    const denied = await request.delete(`${gateway}/orders/items/42`, { headers: auth })
    expect(denied.status()).toBe(403)
    expect(denied.headers()['content-type']).toContain('application/problem+json')
    expect(upstream.received.filter((r) => r.method === 'DELETE')).toHaveLength(0)
    await expect
      .poll(async () => Number((await query<{ n: unknown }>(sql`SELECT COUNT(*) AS "n" FROM "GatewayCall" WHERE "routeId" = ${routeId}`))[0].n), {
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(2)
    await page.reload()
    await expect(page.getByTestId('route-callers')).toContainText(bot.name)
    await expect(page.getByTestId('route-callers')).toContainText('1 refused')
    await expect(page.getByTestId('route-calls').getByTestId('gateway-call').first()).toBeVisible()
    await page.screenshot({ path: test.info().outputPath('gateway-route.png'), fullPage: true })
    await expectAccessible(page, 'gateway route')

    await page.getByRole('link', { name: 'Gateway', exact: true }).first().click()
    await expect(page.getByTestId('route-/orders')).toContainText('Orders API')
    await expect(page.getByTestId('route-/orders')).toContainText(`127.0.0.1:${upstream.port}`)
    await page.screenshot({ path: test.info().outputPath('gateway-routes.png'), fullPage: true })

    await page.goto(`/${org.slug}/identities/${bot.id}`)
    const section = page.getByTestId('identity-gateway')
    await expect(section.getByTestId('gateway-access')).toContainText('Orders API')
    await expect(section.getByTestId('gateway-unused')).toContainText('POST')
    await expect(section.getByTestId('gateway-tokens')).toContainText('orders worker')
    const calls = section.getByTestId('identity-gateway-calls').getByTestId('gateway-call')
    await expect(calls.filter({ hasText: '/items/42' }).filter({ hasText: 'GET' }).first()).toBeVisible()
    await expect(calls.filter({ hasText: 'DELETE' }).first()).toBeVisible()
    await section.scrollIntoViewIfNeeded()
    await page.screenshot({ path: test.info().outputPath('gateway-identity.png'), fullPage: true })
    await expectAccessible(page, 'identity with gateway access')

    await page.goto(`/${org.slug}/settings/api-tokens`)
    await expect(page.getByTestId('gateway-token-scope')).toContainText(bot.name)
    await page.screenshot({ path: test.info().outputPath('gateway-api-tokens.png'), fullPage: true })
  })

  test('a member sees routes but cannot change them', async ({ page }) => {
    await gotoAs(page, org.users.member.email, `/${org.slug}/gateway`)
    await expect(page.getByRole('heading', { name: 'Gateway', exact: true })).toBeVisible()
    await expect(page.getByTestId('new-route')).toHaveCount(0)
    await page.goto(`/${org.slug}/gateway/new`)
    await expect(page.getByTestId('forbidden')).toBeVisible()
  })
})
