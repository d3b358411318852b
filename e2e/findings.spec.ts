import { createTestOrg, expect, gotoAs, holdScheduledJobs, insert, query, sql, test } from './fixtures'

// Governance triages findings: most severe first across pages, filters shown as chips, accepted risks owned and revocable.
test.describe('findings (governance journey)', () => {
  test('sorted by severity across pages, filtered with chips, a risk accepted and its acceptance revoked', async ({ page }) => {
    const org = await createTestOrg({ identities: 4, identity: (i) => ({ riskScore: [90, 10, 60, 30][i], environment: i % 2 ? 'staging' : 'production' }) })
    const [{ id: orgId }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${org.slug}`)
    // The worker's nightly recompute would resolve the hand-written finding of the owned identity #0 mid-test.
    await holdScheduledJobs(orgId, ['recompute_findings', 'metrics_snapshot'])
    const severities = ['low', 'critical', 'high', 'critical'] as const
    const rank = { critical: 0, high: 1, medium: 2, low: 3 }
    const now = new Date()
    await insert(
      'Finding',
      org.identities.map((ident, i) => ({
        id: `f-${ident.id}`,
        orgId,
        identityId: ident.id,
        rule: 'unowned',
        owaspCode: i === 2 ? 'NHI5' : 'NHI1',
        severity: severities[i],
        severityRank: rank[severities[i]],
        title: `${severities[i]} finding ${i}`,
        status: 'open',
        firstSeenAt: now,
        lastSeenAt: now,
      })),
    )
    await gotoAs(page, org.users.governance.email, `/${org.slug}/findings?size=25`)
    const table = page.getByRole('table', { name: 'Findings' })
    // Critical first, the riskier identity of the two first; low last.
    await expect(table.locator('tbody tr')).toHaveCount(4)
    await expect(table.locator('tbody tr').nth(0)).toContainText(org.identities[3].name)
    await expect(table.locator('tbody tr').nth(1)).toContainText(org.identities[1].name)
    await expect(table.locator('tbody tr').nth(3)).toContainText('low')

    // Filter by environment: the active filter is a chip, and clearing it brings everything back.
    await page.getByLabel('Environment').selectOption('staging')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page.getByTestId('finding-chips')).toContainText('Environment: staging')
    await expect(table.locator('tbody tr')).toHaveCount(2)
    await page.getByRole('link', { name: 'Remove filter Environment: staging' }).click()
    await expect(table.locator('tbody tr')).toHaveCount(4)

    // Accept the high finding as a risk, then revoke the acceptance.
    const row = table.locator('tbody tr', { hasText: 'high finding 2' })
    await row.getByText('Accept risk…').click()
    await row.getByLabel('Reason').fill('Scoped by a network policy until the migration')
    await row.getByRole('button', { name: 'Accept risk' }).click()
    await expect(table.locator('tbody tr')).toHaveCount(3)
    await page.getByRole('link', { name: 'Accepted risks' }).click()
    const accepted = page.getByTestId('accepted-risk')
    await expect(accepted).toContainText(`Accepted by ${org.users.governance.name}`)
    await expect(accepted).toContainText('Scoped by a network policy until the migration')
    await accepted.getByRole('button', { name: 'Revoke acceptance' }).click()
    const dialog = page.getByRole('dialog', { name: 'Revoke the accepted risk?' })
    await dialog.getByLabel('Why does the acceptance end?').fill('The network policy was removed')
    await dialog.getByRole('button', { name: 'Revoke acceptance' }).click()
    await expect(page.getByText('No accepted risks')).toBeVisible()
    const [audit] = await query<{ n: number | string }>(
      sql`SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" = 'finding.accept-revoked'`,
    )
    expect(Number(audit.n)).toBe(1)
  })
})
