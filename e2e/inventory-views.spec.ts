import fs from 'node:fs'
import { randomBytes } from 'node:crypto'
import { request as pwRequest } from '@playwright/test'
import { parse } from 'csv-parse/sync'
import { createTestOrg, expect, gotoAs, holdScheduledJobs, insert, orgIdOf, query, signInAs, sql, test, type TestOrg } from './fixtures'

// The inventory as governance uses it: every filter visible as a chip, named views, the CSV export and
// "Review these". 30 identities: kinds cycle api_key, bot, ci_cd; #0–#5 have an open NHI5 finding.

const KINDS = ['api_key', 'bot', 'ci_cd'] as const
const EVIL = '=HYPERLINK("http://evil.example","x")'

const total = (n: number) => `${n} non-human ${n === 1 ? 'identity matches' : 'identities match'}`

test.describe('inventory views (governance journey)', () => {
  let org: TestOrg
  let orgId: string
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 30, identity: (i) => ({ kind: KINDS[i % 3], ...(i === 7 ? { name: EVIL } : {}) }) })
    orgId = await orgIdOf(org.slug)
    // The worker's nightly recompute would resolve the findings written here.
    await holdScheduledJobs(orgId, ['recompute_findings', 'metrics_snapshot'])
    const now = new Date()
    await insert(
      'Finding',
      [0, 1, 2, 3, 4, 5].map((i) => ({
        id: `e2e${randomBytes(10).toString('hex')}`,
        orgId,
        identityId: org.identities[i].id,
        rule: 'admin-grant',
        owaspCode: 'NHI5',
        severity: 'high',
        title: 'Admin or wildcard permission',
        status: 'open',
        firstSeenAt: now,
        lastSeenAt: now,
      })),
    )
  })

  test('a finding filter and several kinds show as chips; each chip clears just itself, by mouse or keyboard', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities?finding=NHI5`)
    const count = page.getByTestId('identity-total')
    const chips = page.getByRole('group', { name: 'Active filters' })
    await expect(count).toHaveText(total(6))
    await expect(chips.getByRole('button', { name: 'Remove filter Finding: NHI5 Overprivileged NHI' })).toBeVisible()
    await expect(page.getByRole('combobox', { name: 'Finding' })).toHaveValue('NHI5')

    // Two kinds, as repeated params: the control names both, and each has its chip.
    await page.goto(`/${org.slug}/identities?finding=NHI5&kind=api_key&kind=bot`)
    await expect(count).toHaveText(total(4))
    await expect(page.getByRole('button', { name: 'Kind: API key, Bot', exact: true })).toBeVisible()
    await expect(chips.getByRole('button')).toHaveText(['Kind: API key×', 'Kind: Bot×', 'Finding: NHI5 Overprivileged NHI×', 'Clear all'])
    await page.screenshot({ path: '.tmp/inventory-chips.png' })

    // One click removes just that value: the URL and the count follow.
    const bot = chips.getByRole('button', { name: 'Remove filter Kind: Bot' })
    await expect(async () => {
      if (await bot.isVisible()) await bot.click()
      await expect(page).toHaveURL(/[?&]kind=api_key(&|$)/, { timeout: 2000 })
    }).toPass()
    await expect(page).toHaveURL(/finding=NHI5/)
    await expect(count).toHaveText(total(2))
    await expect(page.getByRole('button', { name: 'Kind: API key', exact: true })).toBeVisible()

    // The chips follow the last filter control in tab order; Enter removes one and focus stays in the chips.
    await page.getByRole('combobox', { name: 'Finding' }).focus()
    await page.keyboard.press('Tab')
    const apiKey = chips.getByRole('button', { name: 'Remove filter Kind: API key' })
    await expect(apiKey).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(count).toHaveText(total(6))
    await expect(page).not.toHaveURL(/kind=/)
    await expect(chips.getByRole('button', { name: 'Remove filter Finding: NHI5 Overprivileged NHI' })).toBeFocused()

    // The checkbox list adds a kind; Clear all removes every filter but keeps the sort.
    await page.getByRole('button', { name: 'Kind: any', exact: true }).click()
    await page.getByRole('checkbox', { name: /^CI\/CD/ }).check()
    await expect(page).toHaveURL(/kind=ci_cd/)
    await expect(count).toHaveText(total(2))
    await page.keyboard.press('Escape')
    await page.goto(`/${org.slug}/identities?kind=ci_cd&finding=NHI5&sort=name&dir=asc`)
    await chips.getByRole('button', { name: 'Clear all' }).click()
    await expect(count).toHaveText(total(30))
    await expect(page).toHaveURL(new RegExp(`/identities\\?sort=name&dir=asc$`))
    await expect(chips).toHaveCount(0)
  })

  test('saves a view, opens it from the menu, shares and renames it; others see it; an admin deletes it; each step audited', async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 900 })
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities?kind=bot&finding=NHI5&sort=name&dir=asc&page=1`)
    await expect(page.getByTestId('identity-total')).toHaveText(total(2))
    await expect(async () => {
      await page.getByRole('button', { name: 'Saved views' }).click()
      await expect(page.getByRole('group', { name: 'Saved views' })).toBeVisible({ timeout: 2000 })
    }).toPass()
    await expect(page.getByRole('group', { name: 'Saved views' })).toContainText('No saved views yet')
    await page.getByRole('button', { name: 'Save current view…' }).click()
    const save = page.getByRole('dialog', { name: 'Save this view' })
    await save.getByRole('textbox', { name: 'Name' }).fill('Overprivileged bots')
    await save.getByRole('checkbox', { name: /Share with the organization/ }).check()
    await save.getByRole('button', { name: 'Save' }).click()
    await expect(save).toBeHidden()
    await expect(page.getByRole('button', { name: 'View: Overprivileged bots' })).toBeVisible()

    // Open it from the menu elsewhere.
    await page.goto(`/${org.slug}/identities?env=staging`)
    await page.getByRole('button', { name: 'Saved views' }).click()
    await page.getByRole('link', { name: 'Overprivileged bots' }).click()
    await expect(page).toHaveURL(/kind=bot/)
    await expect(page).not.toHaveURL(/env=staging/)
    await expect(page.getByTestId('identity-total')).toHaveText(total(2))
    await expect(page.getByRole('button', { name: 'View: Overprivileged bots' })).toBeVisible()

    // Rename it.
    await page.getByRole('button', { name: 'View: Overprivileged bots' }).click()
    await page.screenshot({ path: '.tmp/saved-views-menu.png' })
    await page.getByRole('button', { name: 'Edit Overprivileged bots' }).click()
    const edit = page.getByRole('dialog', { name: 'Edit view' })
    await edit.getByRole('textbox', { name: 'Name' }).fill('NHI5 bots')
    await edit.getByRole('button', { name: 'Save' }).click()
    await expect(page.getByRole('button', { name: 'View: NHI5 bots' })).toBeVisible()

    // Replace its filters with the ones on screen.
    await page.goto(`/${org.slug}/identities?kind=bot&finding=NHI5&env=production`)
    await expect(page.getByRole('button', { name: 'Saved views' })).toBeVisible()
    await expect(async () => {
      await page.getByRole('button', { name: 'Saved views' }).click()
      await page.getByRole('button', { name: 'Edit NHI5 bots' }).click({ timeout: 2000 })
    }).toPass()
    await edit.getByRole('checkbox', { name: /Use the filters on screen now/ }).check()
    await edit.getByRole('button', { name: 'Save' }).click()
    await expect(page.getByRole('button', { name: 'View: NHI5 bots' })).toBeVisible()

    // A member sees the shared view, by its owner, and can neither change nor delete it, nor share their own.
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities`)
    await expect(async () => {
      await page.getByRole('button', { name: 'Saved views' }).click()
      await expect(page.getByRole('group', { name: 'Saved views' })).toBeVisible({ timeout: 2000 })
    }).toPass()
    const menu = page.getByRole('group', { name: 'Saved views' })
    await expect(menu.getByRole('link', { name: `NHI5 bots by ${org.users.governance.name}` })).toBeVisible()
    await expect(menu.getByRole('button', { name: /NHI5 bots/ })).toHaveCount(0)
    await menu.getByRole('button', { name: 'Save current view…' }).click()
    const mine = page.getByRole('dialog', { name: 'Save this view' })
    await expect(mine.getByRole('checkbox', { name: /Share/ })).toHaveCount(0)
    await mine.getByRole('button', { name: 'Cancel' }).click()

    // An admin deletes the shared view.
    await gotoAs(page, org.users.admin.email, `/${org.slug}/identities`)
    await expect(async () => {
      await page.getByRole('button', { name: 'Saved views' }).click()
      await expect(page.getByRole('group', { name: 'Saved views' })).toBeVisible({ timeout: 2000 })
    }).toPass()
    await page.getByRole('button', { name: 'Delete NHI5 bots' }).click()
    const del = page.getByRole('dialog', { name: 'Delete view' })
    await expect(del).toContainText('for everyone in the organization')
    await del.getByRole('button', { name: 'Delete' }).click()
    await expect(del).toBeHidden()
    await page.getByRole('button', { name: 'Saved views' }).click()
    await expect(page.getByRole('group', { name: 'Saved views' }).getByRole('link')).toHaveCount(0)

    const audit = await query<{ action: string; actorId: string; targetLabel: string }>(
      sql`SELECT "action", "actorId", "targetLabel" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" LIKE 'saved-view.%' ORDER BY "seq"`,
    )
    expect(audit).toEqual([
      { action: 'saved-view.create', actorId: org.users.governance.id, targetLabel: 'Overprivileged bots' },
      { action: 'saved-view.update', actorId: org.users.governance.id, targetLabel: 'NHI5 bots' },
      { action: 'saved-view.update', actorId: org.users.governance.id, targetLabel: 'NHI5 bots' },
      { action: 'saved-view.delete', actorId: org.users.admin.id, targetLabel: 'NHI5 bots' },
    ])
  })

  test('exports the current filter as CSV: exactly its rows, formulas neutralised, audited; another organization answers 404', async ({ page, baseURL }) => {
    await gotoAs(page, org.users.auditor.email, `/${org.slug}/identities?kind=bot`)
    await expect(page.getByTestId('identity-total')).toHaveText(total(10))
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()])
    expect(download.suggestedFilename()).toBe(`custodian-${org.slug}-identities-${new Date().toISOString().slice(0, 10)}.csv`)
    const records = parse(fs.readFileSync((await download.path())!, 'utf8')) as string[][]
    expect(records[0].slice(0, 5)).toEqual(['id', 'name', 'kind', 'environment', 'status'])
    const bots = org.identities.filter((_, i) => i % 3 === 1)
    expect(
      records
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(bots.map((b) => b.id).sort())
    expect(records.slice(1).every((r) => r[2] === 'bot')).toBe(true)
    expect(records.slice(1).map((r) => r[1])).toContain(`'${EVIL}`)

    // Same params as the page (several kinds), headers of a download.
    const res = await page.request.get(`/api/orgs/${org.slug}/identities/export?kind=bot&kind=api_key&finding=NHI5`)
    expect(res.status()).toBe(200)
    expect(res.headers()['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers()['content-disposition']).toMatch(new RegExp(`^attachment; filename="custodian-${org.slug}-identities-\\d{4}-\\d{2}-\\d{2}\\.csv"$`))
    const rows = (parse(await res.text()) as string[][]).slice(1)
    expect(rows.map((r) => r[0]).sort()).toEqual([0, 1, 3, 4].map((i) => org.identities[i].id).sort())

    const audit = await query<{ actorId: string; details: string }>(
      sql`SELECT "actorId", "details" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" = 'identity.export' ORDER BY "seq"`,
    )
    expect(audit.map((a) => ({ actorId: a.actorId, ...JSON.parse(a.details) }))).toEqual([
      { actorId: org.users.auditor.id, format: 'csv', filter: { kind: 'bot' }, rows: 10 },
      { actorId: org.users.auditor.id, format: 'csv', filter: { kind: 'bot,api_key', finding: 'NHI5' }, rows: 4 },
    ])

    // Another organization's slug is indistinguishable from an unknown one; without a session, 401.
    const other = await createTestOrg({ identities: 1 })
    const foreign = await page.request.get(`/api/orgs/${other.slug}/identities/export`)
    expect(foreign.status()).toBe(404)
    expect(await foreign.text()).not.toContain(other.identities[0].name)
    const anonymous = await pwRequest.newContext({ baseURL })
    const anon = await anonymous.get(`/api/orgs/${org.slug}/identities/export`, { maxRedirects: 0 })
    expect(anon.status()).toBe(401)
    expect(await anon.text()).not.toContain(org.identities[0].name)
    await anonymous.dispose()
    // the other organization's admin, signed in, reads only their own
    await signInAs(page.request, other.users.admin.email)
    const theirs = parse(await (await page.request.get(`/api/orgs/${other.slug}/identities/export`)).text()) as string[][]
    expect(theirs.slice(1).map((r) => r[0])).toEqual([other.identities[0].id])
  })

  test('"Review these" opens a new campaign scoped to the current filter; only campaign managers see it', async ({ page }) => {
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities?kind=api_key&kind=bot&finding=NHI5&sort=name&dir=asc`)
    await expect(page.getByTestId('identity-total')).toHaveText(total(4))
    await page.getByRole('link', { name: 'Review these' }).click()
    await expect(page).toHaveURL(new RegExp(`/${org.slug}/campaigns/new\\?kind=api_key%2Cbot&finding=NHI5$`))
    await expect(page.getByTestId('scope-from-inventory')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Kind: API key, Bot', exact: true })).toBeVisible()
    await expect(page.getByLabel('Finding')).toHaveValue('NHI5')
    await expect(page.getByTestId('scope-preview')).toContainText('4 review items')
    await page.getByLabel('Name', { exact: true }).fill('Overprivileged keys and bots')
    await page.getByRole('button', { name: 'Save as draft' }).click()
    await expect(page).toHaveURL(new RegExp(`/${org.slug}/campaigns/(?!new)[a-z0-9]+$`))
    const [c] = await query<{ scope: string }>(sql`SELECT "scope" FROM "Campaign" WHERE "orgId" = ${orgId} AND "name" = ${'Overprivileged keys and bots'}`)
    expect(JSON.parse(c.scope)).toMatchObject({ kind: ['api_key', 'bot'], finding: 'NHI5' })

    for (const role of ['member', 'auditor'] as const) {
      await gotoAs(page, org.users[role].email, `/${org.slug}/identities?kind=bot`)
      await expect(page.getByRole('link', { name: 'Export CSV' })).toBeVisible()
      await expect(page.getByRole('link', { name: 'Review these' })).toHaveCount(0)
    }
  })
})
