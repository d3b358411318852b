import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { Page } from '@playwright/test'
import { createTestOrg, execute, expect, gotoAs, query, rowId, signInAs, sql, test, type TestOrg } from './fixtures'

/** An import source of the org, written straight to the database; returns its id. */
async function addImportSource(org: TestOrg, name: string, format: string, type: string) {
  const id = rowId()
  await execute(sql`INSERT INTO "Source" ("id","orgId","name","type","config","status","createdAt")
    SELECT ${id}, "id", ${name}, ${type}, ${sql.json({ importFormat: format })}, 'active', ${new Date()} FROM "Organization" WHERE "slug" = ${org.slug}`)
  return id
}

const jobsOf = async (org: TestOrg) =>
  Number(
    (await query<{ n: number | string }>(sql`SELECT COUNT(*) AS "n" FROM "Job" j JOIN "Organization" o ON o."id" = j."orgId" WHERE o."slug" = ${org.slug}`))[0]
      .n,
  )

/** The session cookies of the page, for requests made outside the browser (streamed uploads). */
async function cookieHeader(page: Page) {
  return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
}

async function waitForJob(page: Page, org: TestOrg, jobId: string, origin: string) {
  let job: { status: string; lastError: string | null } = { status: 'queued', lastError: null }
  await expect(async () => {
    const res = await page.request.get(`/api/orgs/${org.slug}/imports/${jobId}`, { headers: { origin } })
    expect(res.status()).toBe(200)
    job = await res.json()
    expect(['succeeded', 'failed']).toContain(job.status)
  }).toPass({ timeout: 60_000 })
  return job
}

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
  const origin = new URL(page.url()).origin
  const res = await page.request.post(`/api/orgs/${org.slug}/imports?format=generic_csv&sourceId=x`, { data: 'name\nx\n', headers: { origin } })
  expect(res.status()).toBe(403)
  expect((await res.json()).error).toMatch(/permission/)
})

test('an upload from another site, or without an Origin, is refused and writes nothing; our own pages are accepted', async ({ page, baseURL }) => {
  const org = await createTestOrg({ identities: 1 })
  const sourceId = await addImportSource(org, 'CSRF target', 'generic_csv', 'csv')
  await signInAs(page.request, org.users.admin.email)
  const path = `/api/orgs/${org.slug}/imports?format=generic_csv&sourceId=${sourceId}&name=x.csv`
  const data = 'name,external_id\ncsrf-bot,csrf-1\n'

  let res = await page.request.post(path, { data, headers: { origin: 'http://evil.example' } })
  expect(res.status()).toBe(403)
  expect((await res.json()).error).toMatch(/did not come from Custodian’s own pages/)
  res = await page.request.post(path, { data })
  expect(res.status()).toBe(403)
  expect(await jobsOf(org)).toBe(0)

  res = await page.request.post(path, { data, headers: { origin: baseURL! } })
  expect(res.status()).toBe(202)
  const { jobId } = await res.json()
  // Reading the job: refused from another site, answered to our own pages.
  expect((await page.request.get(`/api/orgs/${org.slug}/imports/${jobId}`, { headers: { origin: 'http://evil.example' } })).status()).toBe(403)
  const job = await waitForJob(page, org, jobId, baseURL!)
  expect(job.status).toBe('succeeded')
})

test('a 200 MB line of commas and JSON nested 100,000 deep are refused with a message while the server keeps answering', async ({ page, baseURL }) => {
  test.setTimeout(180_000)
  const org = await createTestOrg({ identities: 1 })
  const csvSource = await addImportSource(org, 'Bomb CSV', 'generic_csv', 'csv')
  const jsonSource = await addImportSource(org, 'Bomb JSON', 'generic_json', 'json')
  await gotoAs(page, org.users.admin.email, `/${org.slug}/sources/import?source=${jsonSource}`)

  // Streamed from a generator: the 200 MB never exist in the test's memory either.
  const MB = Buffer.alloc(1024 ** 2, ',')
  const commas = Readable.toWeb(
    Readable.from(
      (function* () {
        for (let i = 0; i < 200; i++) yield MB
      })(),
    ),
  ) as ReadableStream<Uint8Array>
  const upload = fetch(`${baseURL}/api/orgs/${org.slug}/imports?format=generic_csv&sourceId=${csvSource}&name=bomb.csv`, {
    method: 'POST',
    body: commas,
    duplex: 'half',
    headers: { cookie: await cookieHeader(page), origin: baseURL!, 'content-type': 'application/octet-stream' },
  } as RequestInit)
  // The web process answers while it receives the file and while the worker refuses it.
  expect((await page.request.get('/api/health')).status()).toBe(200)
  const res = await upload
  expect(res.status).toBe(202)
  const { jobId } = (await res.json()) as { jobId: string }
  expect((await page.request.get('/api/health')).status()).toBe(200)
  const job = await waitForJob(page, org, jobId, baseURL!)
  expect(job).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/header row \(line 1\) could not be read: the row is longer than 1 MB/) })

  // The deep JSON, through the page: the person sees why it was refused.
  await page.getByLabel('File').setInputFiles({ name: 'deep.json', mimeType: 'application/json', buffer: Buffer.from('['.repeat(100_000)) })
  await page.getByRole('button', { name: 'Upload and preview' }).click()
  await expect(page.getByTestId('import-error')).toContainText('The JSON is nested more than 64 levels deep (line 1)')
  const health = await page.request.get('/api/health')
  expect(await health.json()).toEqual({ status: 'ok' })
})

/** Uploads a file into an import source on the import page and waits for the preview. */
async function uploadOnPage(page: Page, file: { name: string; buffer: Buffer; mimeType: string }) {
  await expect(async () => {
    await page.getByLabel('File').setInputFiles(file)
    await page.getByRole('button', { name: 'Upload and preview' }).click()
    await expect(page.getByTestId('preview-summary')).toBeVisible({ timeout: 20_000 })
  }).toPass({ timeout: 60_000 })
}

async function importAndWait(page: Page) {
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await expect(page.getByTestId('import-status')).toContainText('Import finished.', { timeout: 45_000 })
}

test('AWS credential report: the root user is privileged and critical, a person is left out and the page says so, nothing is simulated', async ({ page }) => {
  const org = await createTestOrg({ identities: 1 })
  const sourceId = await addImportSource(org, 'AWS prod account', 'aws_credential_report', 'aws')
  await gotoAs(page, org.users.governance.email, `/${org.slug}/sources/import?source=${sourceId}`)
  await uploadOnPage(page, {
    name: 'report.csv',
    mimeType: 'text/csv',
    buffer: fs.readFileSync(path.resolve('tests/fixtures/imports/aws-credential-report.csv')),
  })
  await expect(page.getByTestId('preview-summary')).toContainText('1 person left out (not NHIs)')
  await expect(page.getByTestId('preview-skipped')).toContainText('Line 6: alice.ops — a person: console password with MFA')
  await expect(page.getByTestId('preview-table')).not.toContainText('alice.ops')
  await page.screenshot({ path: 'test-results/imports-aws-preview.png', fullPage: true })
  await importAndWait(page)
  await expect(page.getByTestId('import-status')).toContainText('1 person left out: not an NHI.')

  await page.goto(`/${org.slug}/identities?source=${sourceId}`)
  await expect(page.getByRole('link', { name: 'root (123456789012)' })).toBeVisible()
  await expect(page.getByText('alice.ops')).toHaveCount(0)
  await page.getByRole('link', { name: 'root (123456789012)' }).click()
  await page.waitForURL((u) => /\/identities\/[^/]+$/.test(u.pathname))
  // The findings follow an import in their own job, queued by it: the page shows them once that has run (a second or so
  // after the import on a busy machine), so reload until then.
  await expect(async () => {
    await page.reload()
    await expect(page.getByRole('listitem').filter({ hasText: 'AWS root user: unrestricted access to the whole account' })).toBeVisible({ timeout: 1_000 })
  }).toPass()
  await expect(page.getByText('root user (every action on every resource)')).toBeVisible()
  const mode = page.getByTestId('identity-remediation')
  await expect(mode).toContainText('Manual')
  await expect(mode).not.toContainText('Simulated')
  await page.screenshot({ path: 'test-results/imports-aws-root.png', fullPage: true })
})

test('Kubernetes: an annotated owner who is a member lands as the owner, one who is not is flagged before import; unknown usage reads "unknown"; the source environment labels the rest', async ({
  page,
}) => {
  const org = await createTestOrg({ identities: 1 })
  const sa = (ns: string, name: string, owner?: string) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace: ns,
      uid: randomBytes(8).toString('hex'),
      creationTimestamp: '2023-01-01T00:00:00Z',
      ...(owner ? { annotations: { 'custodian.io/owner': owner } } : {}),
    },
  })
  const doc = {
    apiVersion: 'v1',
    kind: 'List',
    items: [sa('team-a', 'api', org.users.admin.email), sa('team-a', 'worker', 'stranger@elsewhere.example'), sa('payments-prod', 'ledger')],
  }
  const sourceId = await addImportSource(org, 'Cluster e2e', 'kubernetes', 'kubernetes')
  await gotoAs(page, org.users.governance.email, `/${org.slug}/sources/import?source=${sourceId}`)
  await uploadOnPage(page, { name: 'cluster.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) })
  const rowOf = (name: string) => page.getByTestId('preview-table').getByRole('row').filter({ hasText: name })
  await expect(rowOf('team-a/api')).toContainText(org.users.admin.email)
  await expect(rowOf('team-a/api')).not.toContainText('not a member')
  await expect(rowOf('team-a/worker')).toContainText('not a member')
  await expect(rowOf('team-a/worker')).toContainText('unknown')
  await expect(page.getByTestId('preview-owners')).toContainText(
    '1 identity names an owner who is not a member of this organization (stranger@elsewhere.example)',
  )
  await page.screenshot({ path: 'test-results/imports-k8s-preview.png', fullPage: true })
  await importAndWait(page)
  await expect(page.getByTestId('import-status')).toContainText('1 identity has no owner yet: stranger@elsewhere.example is not a member')

  await page.goto(`/${org.slug}/identities?source=${sourceId}&q=team-a%2Fapi`)
  await page.getByRole('link', { name: 'team-a/api' }).click()
  await expect(page.getByText(org.users.admin.name).first()).toBeVisible()
  await expect(page.getByTestId('usage-unknown')).toContainText('unknown — Cluster e2e does not report usage')
  await expect(page.getByText(/Active but unused for/)).toHaveCount(0)
  await page.screenshot({ path: 'test-results/imports-k8s-identity.png', fullPage: true })
  await page.goto(`/${org.slug}/identities?source=${sourceId}`)
  await expect(page.getByRole('row').filter({ hasText: 'team-a/worker' })).toContainText('unknown')

  // The source's environment: two identities are unknown (team-a), the production namespace keeps its label.
  await page.goto(`/${org.slug}/sources`)
  const row = page.getByTestId('source-Cluster e2e')
  // Only a source marked simulated says so; the import source is a file import.
  await expect(page.getByTestId('source-GitHub e2e')).toContainText('demo (simulated)')
  await expect(row).toContainText('file import')
  await expect(row).not.toContainText('simulated')
  await expect(row.getByTestId('environment-form')).toContainText('2 with unknown environment')
  await expect(async () => {
    await row.getByLabel('Environment of Cluster e2e').selectOption('staging')
    await expect(row.getByTestId('environment-effect')).toContainText('Sets the 2 identities of this source whose environment is unknown to staging now', {
      timeout: 2000,
    })
  }).toPass()
  await page.screenshot({ path: 'test-results/imports-sources-environment.png', fullPage: true })
  await row.getByRole('button', { name: 'Save' }).click()
  await expect(row.getByRole('status')).toContainText('2 identities set to staging.')
  await page.goto(`/${org.slug}/identities?source=${sourceId}&env=staging`)
  await expect(page.getByRole('link', { name: 'team-a/worker' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'team-a/api' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'payments-prod/ledger' })).toHaveCount(0)
  const audit = await query<{ n: number | string }>(
    sql`SELECT COUNT(*) AS "n" FROM "AuditEvent" a JOIN "Organization" o ON o."id" = a."orgId" WHERE o."slug" = ${org.slug} AND a."action" = 'source.environment'`,
  )
  expect(Number(audit[0].n)).toBe(1)
})
