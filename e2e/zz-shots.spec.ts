import { createActiveCampaign, createTestOrg, gotoAs, test } from './fixtures'

test('screenshots of the changed pages', async ({ page }) => {
  test.setTimeout(120_000)
  const org = await createTestOrg({ identities: 6 })
  const c = await createActiveCampaign(org)
  await page.setViewportSize({ width: 1440, height: 1000 })
  await gotoAs(page, org.users.admin.email, `/${org.slug}/identities`)
  await page.screenshot({ path: '.tmp/shots/identities.png', fullPage: true })
  await page.getByRole('button', { name: 'Secret age' }).click().catch(() => {})
  await page.screenshot({ path: '.tmp/shots/identities-facet.png' })
  await gotoAs(page, org.users.member.email, `/${org.slug}/reviews`)
  await page.screenshot({ path: '.tmp/shots/reviews.png', fullPage: true })
  await gotoAs(page, org.users.admin.email, `/${org.slug}/campaigns/${c.id}`)
  await page.screenshot({ path: '.tmp/shots/campaign.png', fullPage: true })
  await gotoAs(page, org.users.admin.email, `/${org.slug}/campaigns/new`)
  await page.screenshot({ path: '.tmp/shots/campaign-new.png', fullPage: true })
})
