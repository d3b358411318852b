import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createActiveCampaign, createTestOrg, execute, expect, gotoAs, insert, orgIdOf, query, rowId, sql, test } from './fixtures'

// The auditor's journey: from the Reports page, the signed evidence pack of a closed campaign and the inventory CSV.
test.describe('reports', () => {
  test('an auditor downloads the evidence pack of a closed campaign and the inventory CSV', async ({ page }) => {
    test.setTimeout(120_000)
    const org = await createTestOrg({ identities: 4, identity: (i) => (i === 3 ? { name: '=SUM(1+1)' } : undefined) })
    const campaign = await createActiveCampaign(org, { name: 'Closed quarterly review' })
    const orgId = await orgIdOf(org.slug)
    const decidedAt = new Date(Date.now() - 3_600_000)
    // The member kept every item, then the campaign closed.
    await execute(
      sql`UPDATE "ReviewItem" SET "decision" = 'keep', "status" = 'closed', "decidedById" = ${org.users.member.id}, "decidedAt" = ${decidedAt}, "justification" = 'still in use' WHERE "campaignId" = ${campaign.id}`,
    )
    await execute(sql`UPDATE "Campaign" SET "status" = 'closed', "closedAt" = ${new Date()}, "decidedCount" = 4 WHERE "id" = ${campaign.id}`)

    await gotoAs(page, org.users.auditor.email, `/${org.slug}/reports`)
    await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible()
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' })).toBeVisible()
    await expect(page.getByTestId('signing-kid')).toHaveCount(0)

    // Another pack of the auditor's, still being written, for the page's running state.
    const now = new Date()
    await insert('ReportExport', [
      {
        id: rowId('exp'),
        orgId,
        kind: 'evidence-pack',
        format: 'zip',
        params: JSON.stringify({ kind: 'evidence-pack', campaignId: campaign.id, from: '2026-01-01', to: '2026-01-31' }),
        requestedById: org.users.auditor.id,
        status: 'running',
        rows: 412_345,
        detail: JSON.stringify({ step: 4, steps: 8, file: 'access.csv' }),
        filename: `custodian-evidence-${org.slug}-Earlier-review-2026-01-31.zip`,
        createdAt: new Date(now.getTime() - 60_000),
        expiresAt: new Date(now.getTime() + 7 * 86_400_000),
      },
    ])

    // The pack is prepared by a background job (minutes for a large organization), then downloaded from the list.
    const pack = page.getByTestId('pack-form')
    await pack.getByLabel('Campaign').selectOption(campaign.id)
    await pack.getByRole('button', { name: 'Prepare pack' }).click()
    const table = page.getByTestId('exports-table')
    // The fixture's row: the pack just asked for may be running too when this looks (the worker is quick or not).
    const running = table.locator('[data-testid="export-row"][data-status="running"]', { hasText: 'Earlier-review-2026-01-31' })
    await expect(running).toContainText('Writing access.csv (step 4 of 8)')
    await expect(running).toContainText('412,345 rows written')
    const ready = table.locator('[data-testid="export-row"][data-status="ready"]')
    await expect(ready).toHaveCount(1, { timeout: 60_000 })
    await expect(ready).toContainText('Evidence pack')
    await expect(ready).toContainText('Manifest ')
    await page.screenshot({ path: '.tmp/reports-pack-jobs.png', fullPage: true })
    const [zip] = await Promise.all([page.waitForEvent('download'), ready.getByRole('link', { name: /^Download/ }).click()])
    expect(zip.suggestedFilename()).toMatch(/^custodian-evidence-.*\.zip$/)
    const dir = mkdtempSync(join(tmpdir(), 'e2e-pack-'))
    await zip.saveAs(join(dir, 'pack.zip'))
    expect(spawnSync('unzip', ['-q', 'pack.zip'], { cwd: dir }).status).toBe(0)
    const folder = join(
      dir,
      readdirSync(dir).find((f) => f.startsWith('custodian-evidence-'))!,
    )
    const [key] = await query<{ kid: string }>(sql`SELECT "kid" FROM "OrgKey" WHERE "orgId" = ${orgId}`)
    const verified = spawnSync('node', ['scripts/verify-evidence.mjs', folder, key.kid], { encoding: 'utf8' })
    expect(verified.status, verified.stdout + verified.stderr).toBe(0)
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'))
    expect(manifest.campaign).toMatchObject({ id: campaign.id, status: 'closed' })
    const evidence = readFileSync(join(folder, 'campaign-evidence.csv'), 'utf8')
    expect(evidence).toContain('still in use')
    for (const item of campaign.items) expect(evidence).toContain(item.id)

    // The key id appears once the first pack made the key.
    await page.reload()
    await expect(page.getByTestId('signing-kid')).toHaveText(key.kid)

    await page.screenshot({ path: '.tmp/reports-page.png', fullPage: true })
    const inventory = page.getByTestId('inventory-form')
    const [csv] = await Promise.all([page.waitForEvent('download'), inventory.getByRole('button', { name: 'Download inventory CSV' }).click()])
    expect(csv.suggestedFilename()).toMatch(/^custodian-.*-inventory-\d{4}-\d{2}-\d{2}\.csv$/)
    const text = readFileSync((await csv.path())!, 'utf8')
    const lines = text.trim().split('\n')
    expect(lines[0].startsWith('identity_id,name,kind,source')).toBe(true)
    expect(lines).toHaveLength(5)
    expect(text).toContain(`'=SUM(1+1)`)

    const rows = await query<{ details: string; actorId: string }>(
      sql`SELECT "details", "actorId" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" = 'report.download' ORDER BY "seq"`,
    )
    expect(rows.map((r) => [JSON.parse(r.details).report, r.actorId])).toEqual([
      ['evidence-pack', org.users.auditor.id],
      ['inventory', org.users.auditor.id],
    ])
    expect(JSON.parse(rows[0].details).manifestSha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(folder, 'manifest.json')))
        .digest('hex'),
    )

    // A reversed range is caught on the page, before any download.
    const auditForm = page.getByTestId('audit-form')
    await auditForm.getByLabel('From').fill('2026-02-01')
    await auditForm.getByLabel('To').fill('2026-01-01')
    await auditForm.getByRole('button', { name: 'Download audit log' }).click()
    await expect(auditForm.getByTestId('form-error')).toHaveText('The start date is after the end date: swap them.')
  })

  test('an auditor runs the inventory as a background export, sees it become ready, and downloads the file', async ({ page }) => {
    test.setTimeout(120_000)
    const org = await createTestOrg({ identities: 3, identity: (i) => (i === 2 ? { name: '=SUM(1+1)' } : undefined) })
    const orgId = await orgIdOf(org.slug)
    // Another export of the auditor's, still being written, for the page's running state.
    const now = new Date()
    await insert('ReportExport', [
      {
        id: rowId('exp'),
        orgId,
        kind: 'audit-log',
        format: 'csv',
        params: '{"kind":"audit-log"}',
        requestedById: org.users.auditor.id,
        status: 'running',
        rows: 4200,
        expectedRows: 10000,
        filename: `custodian-${org.slug}-audit-log-2026-01-01-to-2026-11-30.csv`,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 7 * 86_400_000),
      },
    ])
    await gotoAs(page, org.users.auditor.email, `/${org.slug}/reports`)
    const inventory = page.getByTestId('inventory-form')
    await inventory.getByRole('button', { name: 'Export in background' }).click()
    const table = page.getByTestId('exports-table')
    const ready = table.locator('[data-testid="export-row"][data-status="ready"]')
    await expect(ready).toHaveCount(1, { timeout: 60_000 })
    await expect(ready).toContainText('Inventory snapshot')
    await expect(ready).toContainText('4 / 4 rows')
    await expect(table.locator('[data-testid="export-row"][data-status="running"]')).toContainText('4,200 / 10,000 rows (42%)')
    await page.screenshot({ path: '.tmp/reports-exports.png', fullPage: true })

    const [file] = await Promise.all([page.waitForEvent('download'), ready.getByRole('link', { name: /^Download/ }).click()])
    expect(file.suggestedFilename()).toMatch(/^custodian-.*-inventory-\d{4}-\d{2}-\d{2}\.csv$/)
    const content = readFileSync((await file.path())!)
    const lines = content.toString('utf8').trim().split('\n')
    expect(lines[0].startsWith('identity_id,name,kind,source')).toBe(true)
    expect(lines).toHaveLength(4)
    expect(content.toString('utf8')).toContain(`'=SUM(1+1)`)
    const sha = createHash('sha256').update(content).digest('hex')
    await expect(ready).toContainText(sha)
    const rows = await query<{ action: string; details: string }>(
      sql`SELECT "action", "details" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" IN ('report.export', 'report.download') ORDER BY "seq"`,
    )
    expect(rows.map((r) => r.action)).toEqual(['report.export', 'report.download'])
    expect(JSON.parse(rows[1].details).sha256).toBe(sha)
  })

  test('members have no Reports page', async ({ page }) => {
    const org = await createTestOrg({ identities: 1 })
    await gotoAs(page, org.users.member.email, `/${org.slug}/reports`)
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' })).toHaveCount(0)
    await expect(page.getByTestId('forbidden')).toContainText("You don't have access to reports")
  })
})
