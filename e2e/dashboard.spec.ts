import type { Fragment } from '../lib/sql/sql'
import { createTestOrg, expect, gotoAs, query, sql, test } from './fixtures'

// Expected values come from the same database the server reads (scripts/test.sh sets DATABASE_URL for both).
const DAY = 86_400_000
const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n)

async function scalar(q: Fragment): Promise<number> {
  const [{ n }] = await query<{ n: number | string }>(q)
  return Number(n)
}

async function acmeCounts() {
  const org = sql`(SELECT "id" FROM "Organization" WHERE "slug" = 'acme')`
  const live = sql`"orgId" = ${org} AND "status" <> 'deleted'`
  const cutoff = new Date(Date.now() - 90 * DAY)
  const q = (where: Fragment) => scalar(sql`SELECT COUNT(*) AS n FROM "Identity" WHERE ${live} AND ${where}`)
  const overprivileged = await scalar(
    sql`SELECT COUNT(DISTINCT f."identityId") AS n FROM "Finding" f JOIN "Identity" i ON i."id" = f."identityId" WHERE f."orgId" = ${org} AND f."status" = 'open' AND f."owaspCode" = 'NHI5' AND i."status" <> 'deleted'`,
  )
  return {
    total: await q(sql`1 = 1`),
    unowned: await q(sql`"ownerId" IS NULL`),
    dormant: await q(sql`("lastUsedAt" IS NULL OR "lastUsedAt" < ${cutoff})`),
    overprivileged,
  }
}

test.describe('dashboard (governance journey)', () => {
  test('shows the seeded counts, and each number and chart segment opens the inventory that makes it', async ({ page }) => {
    const expected = await acmeCounts()
    expect(expected.total).toBeGreaterThan(0)
    await gotoAs(page, 'grace@acme.example', '/acme')
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
    await expect(page.getByTestId('value-total')).toHaveText(fmt(expected.total))
    await expect(page.getByTestId('value-unowned')).toHaveText(fmt(expected.unowned))
    await expect(page.getByTestId('value-dormant')).toHaveText(fmt(expected.dormant))
    await expect(page.getByTestId('value-overprivileged')).toHaveText(fmt(expected.overprivileged))
    await expect(page.getByTestId('chart-owasp')).toBeVisible()
    await page.setViewportSize({ width: 1440, height: 1800 })
    await page.waitForTimeout(300)
    await page.screenshot({ path: '.tmp/posture-dashboard.png', fullPage: true })

    // A card opens the inventory filtered the same way, with the same count.
    await page.getByTestId('card-unowned').click()
    await expect(page).toHaveURL(/\/acme\/identities\?owner=unowned/)
    await expect(page.getByTestId('identity-total')).toHaveText(`${fmt(expected.unowned)} non-human identities match`)

    // A chart segment: the first bar of "By kind" is the largest kind; clicking it filters the inventory by that kind.
    await page.goto('/acme')
    const bar = page.getByTestId('chart-kind').locator('.recharts-bar-rectangle').first()
    await expect(bar).toBeVisible()
    const label = await page.getByTestId('chart-kind').locator('ul li a').first().textContent()
    const [, kindCount] = label!.match(/: ([\d,]+)$/)!
    await expect(async () => {
      await bar.click()
      await expect(page).toHaveURL(/\/acme\/identities\?kind=[a-z_]+$/, { timeout: 2000 })
    }).toPass()
    await expect(page.getByTestId('identity-total')).toHaveText(`${kindCount} non-human identities match`)

    // An OWASP segment opens the identities with an open finding of that code.
    await page.goto('/acme')
    const owaspBar = page.getByTestId('chart-owasp').locator('.recharts-bar-rectangle').first()
    const owaspLabel = await page.getByTestId('chart-owasp').locator('ul li a').first().textContent()
    const [, code, owaspCount] = owaspLabel!.match(/^(NHI\d+) .*: ([\d,]+)$/)!
    await expect(async () => {
      await owaspBar.click()
      await expect(page).toHaveURL(new RegExp(`/acme/identities\\?finding=${code}$`), { timeout: 2000 })
    }).toPass()
    await expect(page.getByTestId('identity-total')).toHaveText(`${owaspCount} non-human identities match`)
  })

  test('trend range switches and the findings page lists findings', async ({ page }) => {
    await gotoAs(page, 'ada@acme.example', '/acme?range=365')
    await expect(page.getByRole('link', { name: '1 year' })).toHaveAttribute('aria-current', 'page')
    await expect(page.locator('.recharts-line').first()).toBeVisible()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Findings' }).click()
    await expect(page.getByRole('heading', { name: 'Findings', exact: true })).toBeVisible()
    await expect(page.getByRole('table', { name: 'Findings' }).locator('tbody tr').first()).toBeVisible()
    await expect(page.getByRole('button', { name: 'Recompute findings' })).toBeVisible()
  })

  test('an organization without identities gets a helpful empty state', async ({ page }) => {
    const org = await createTestOrg({ identities: 0 })
    await gotoAs(page, org.users.governance.email, `/${org.slug}`)
    await expect(page.getByTestId('dashboard-empty')).toContainText('No identities yet')
    await expect(page.getByTestId('dashboard-empty')).toContainText('Load the demo')
  })

  test('posture thresholds refuse out-of-range values with a message', async ({ page }) => {
    const org = await createTestOrg({ identities: 2 })
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings/posture`)
    await page.getByLabel('Dormant after (days)').fill('3')
    await expect(async () => {
      await page.getByRole('button', { name: 'Save thresholds' }).click()
      await expect(page.getByTestId('error-dormantDays')).toContainText('at least 7', { timeout: 2000 })
    }).toPass()
    await page.getByLabel('Dormant after (days)').fill('120')
    await page.getByRole('button', { name: 'Save thresholds' }).click()
    await expect(page.getByText('Saved. Findings are being recomputed')).toBeVisible()
  })
})
