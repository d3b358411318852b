import { createActiveCampaign, createTestOrg, expect, expectAccessible, gotoAs, insert, query, sql, test } from './fixtures'

// Every main page, as the role that works there, scanned with axe-core against WCAG 2.1 AA (colour contrast,
// names, landmarks, links told apart without colour...). Other journeys scan the pages they open too.
test.describe('accessibility (WCAG 2.1 AA)', () => {
  test('the pages of governance, owners, admins and auditors have no violations', async ({ page }) => {
    test.setTimeout(180_000)
    const org = await createTestOrg({ identities: 6, identity: (i, users) => ({ ownerId: i < 3 ? users.member.id : null, privileged: i === 1 }) })
    const campaign = await createActiveCampaign(org, { identities: [0, 1, 2] })
    const [{ id: orgId }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${org.slug}`)
    const now = new Date()
    await insert(
      'Finding',
      org.identities.map((ident, i) => ({
        id: `a11y-${ident.id}`,
        orgId,
        identityId: ident.id,
        rule: 'unowned',
        owaspCode: 'NHI1',
        severity: ['critical', 'high', 'medium', 'low'][i % 4],
        severityRank: i % 4,
        title: 'No owner',
        status: i === 5 ? 'accepted' : 'open',
        acceptedReason: i === 5 ? 'Scoped by policy' : null,
        acceptedUntil: i === 5 ? new Date(Date.now() + 9e8) : null,
        acceptedById: i === 5 ? org.users.governance.id : null,
        firstSeenAt: now,
        lastSeenAt: now,
      })),
    )
    const s = `/${org.slug}`
    const pages: [string, string][] = [
      [org.users.governance.email, s],
      [org.users.governance.email, `${s}/identities`],
      [org.users.governance.email, `${s}/identities?finding=NHI1&kind=api_key`],
      [org.users.governance.email, `${s}/identities/${org.identities[1].id}`],
      [org.users.governance.email, `${s}/findings`],
      [org.users.governance.email, `${s}/findings?status=accepted`],
      [org.users.governance.email, `${s}/campaigns`],
      [org.users.governance.email, `${s}/campaigns/new`],
      [org.users.governance.email, `${s}/campaigns/${campaign.id}`],
      [org.users.governance.email, `${s}/jobs`],
      [org.users.governance.email, `${s}/sources`],
      [org.users.governance.email, `${s}/sources/import`],
      [org.users.governance.email, `${s}/audit`],
      [org.users.governance.email, `${s}/requests`],
      [org.users.member.email, `${s}/my`],
      [org.users.member.email, `${s}/reviews`],
      [org.users.member.email, `${s}/inbox`],
      [org.users.member.email, `${s}/identities/${org.identities[0].id}`],
      [org.users.admin.email, `${s}/settings`],
      [org.users.admin.email, `${s}/settings/posture`],
      [org.users.auditor.email, `${s}/audit`],
      [org.users.auditor.email, `${s}/settings`],
    ]
    for (const [email, path] of pages) {
      await gotoAs(page, email, path)
      await page.waitForLoadState('networkidle')
      await expectAccessible(page, `${path} as ${email.split('.')[0]}`)
    }
    await page.context().clearCookies()
    await page.goto('/sign-in')
    await expectAccessible(page, '/sign-in')
    await expect(page.getByRole('heading', { name: 'Sign in to Custodian' })).toBeVisible()
  })
})
