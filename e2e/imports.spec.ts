import { createTestOrg, expect, gotoAs, test } from './fixtures'

const CSV = [
  'name,external_id,kind,environment,owner_email,created_at,last_used_at,credential_kind,credential_id,resource,permission,privileged,tags',
  'e2e-import-billing,imp-001,service_account,production,,2023-01-05,2025-10-01,access_key,AKIAE2E1,s3://billing,s3:*,true,team=payments',
  'e2e-import-broken,imp-002,robot,production,,2023-01-05,,,,,,,',
  '"e2e-import-deploy, legacy",imp-003,ci_cd,staging,,2021-07-01,,ssh_key,SHA256:e2e,github.com/acme/app,push,false,',
  '',
].join('\r\n')

test('governance imports a generic CSV: preview shows the bad row’s line, the good rows land in the inventory', async ({ page }) => {
  const org = await createTestOrg({ identities: 1 })
  await gotoAs(page, org.users.governance.email, `/${org.slug}/sources`)
  await expect(page.getByRole('heading', { name: 'Sources' })).toBeVisible()
  await expect(page.getByTestId('source-GitHub e2e')).toBeVisible()

  await page.getByRole('link', { name: 'Import a file' }).click()
  await expect(page.getByText('There is no import source yet')).toBeVisible()
  await expect(async () => {
    await page.getByPlaceholder('e.g. AWS prod account').fill('Spreadsheet inventory')
    await page.getByRole('button', { name: 'Create source' }).click()
    await expect(page.getByLabel('Source')).toHaveValue(/.+/, { timeout: 3000 })
  }).toPass()

  await page.getByLabel('File').setInputFiles({ name: 'inventory.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) })
  await page.getByRole('button', { name: 'Upload and preview' }).click()
  await expect(page.getByTestId('preview-summary')).toContainText('2 identities')
  await expect(page.getByTestId('preview-summary')).toContainText('1 row with errors')
  await expect(page.getByTestId('preview-errors')).toContainText('Line 3: kind: "robot" is not one of')
  await expect(page.getByTestId('preview-table')).toContainText('e2e-import-deploy, legacy')
  await expect(page.getByTestId('preview-table')).not.toContainText('e2e-import-broken')

  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await expect(page.getByTestId('import-status')).toContainText('Import finished.', { timeout: 45_000 })
  await expect(page.getByTestId('import-status')).toContainText('2 added')
  await expect(page.getByTestId('import-status')).toContainText('1 row skipped with errors')

  await page.getByRole('link', { name: 'See the imported identities →' }).click()
  await expect(page.getByText('e2e-import-billing')).toBeVisible()
  await expect(page.getByText('e2e-import-deploy, legacy')).toBeVisible()
  await expect(page.getByText('e2e-import-broken')).toHaveCount(0)

  await page.goto(`/${org.slug}/sources`)
  const row = page.getByTestId('source-Spreadsheet inventory')
  // One row was skipped, so the import is marked partial and says why.
  await expect(row).toContainText('partial')
  await expect(row.getByTestId('sync-error')).toContainText('1 record could not be read')
  await expect(row.getByRole('link', { name: '2' })).toBeVisible()
})

test('a wrong file gets a clear message; a member cannot open the import page or upload', async ({ page }) => {
  const org = await createTestOrg({ identities: 1 })
  await gotoAs(page, org.users.admin.email, `/${org.slug}/sources/import`)
  await expect(async () => {
    await page.getByPlaceholder('e.g. AWS prod account').fill('Cluster')
    await page.getByRole('combobox').last().selectOption('kubernetes')
    await page.getByRole('button', { name: 'Create source' }).click()
    await expect(page.getByLabel('Source')).toHaveValue(/.+/, { timeout: 3000 })
  }).toPass()
  await page.getByLabel('File').setInputFiles({ name: 'oops.json', mimeType: 'application/json', buffer: Buffer.from('{"kind":"Pod"}') })
  await page.getByRole('button', { name: 'Upload and preview' }).click()
  await expect(page.getByTestId('import-error')).toContainText('does not look like kubectl JSON output')

  await page.context().clearCookies()
  await gotoAs(page, org.users.member.email, `/${org.slug}/sources/import`)
  await expect(page.getByTestId('forbidden')).toBeVisible()
  const res = await page.request.post(`/api/orgs/${org.slug}/imports?format=generic_csv&sourceId=x`, { data: 'name\nx\n' })
  expect(res.status()).toBe(403)
})
