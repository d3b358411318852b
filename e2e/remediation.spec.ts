import { randomBytes } from 'node:crypto'
import type { Fragment } from '../lib/sql/sql'
import { createTestOrg, expect, gotoAs, insertRow, orgIdOf, rowId, runSql, sql, test, type TestOrg } from './fixtures'

// Grants and credentials for the spec's identities, written straight to the database the server uses.
const id = () => rowId('rem')
const DAY = 86_400_000

async function giveAccess(org: TestOrg, identityId: string, sourceType?: string) {
  const orgId = await orgIdOf(org.slug)
  const now = new Date()
  const st: Fragment[] = []
  let sourceId: string
  if (sourceType) {
    sourceId = id()
    st.push(
      insertRow('Source', {
        id: sourceId,
        orgId,
        name: `${sourceType} import ${sourceId.slice(-4)}`,
        type: sourceType,
        config: '{}',
        status: 'active',
        createdAt: now,
      }),
    )
    st.push(sql`UPDATE "Identity" SET "sourceId" = ${sourceId} WHERE "id" = ${identityId}`)
  } else {
    const [[i]] = await runSql([sql`SELECT "sourceId" FROM "Identity" WHERE "id" = ${identityId}`])
    sourceId = i.sourceId as string
  }
  const resourceId = id()
  st.push(
    insertRow('Resource', {
      id: resourceId,
      orgId,
      sourceId,
      externalId: `repo-${resourceId}`,
      name: 'acme/payments',
      type: 'repository',
      environment: 'production',
      createdAt: now,
    }),
  )
  const ents: [string, boolean, number | null][] = [
    ['admin', true, 200],
    ['write', false, 2],
    ['read', false, null],
  ]
  for (const [name, privileged, usedDaysAgo] of ents) {
    const e = id()
    st.push(insertRow('Entitlement', { id: e, orgId, sourceId, resourceId, externalId: `${resourceId}:${name}`, name, privileged, createdAt: now }))
    st.push(
      insertRow('Grant', {
        id: id(),
        orgId,
        identityId,
        entitlementId: e,
        privileged,
        createdAt: new Date(now.getTime() - 300 * DAY),
        lastUsedAt: usedDaysAgo === null ? null : new Date(now.getTime() - usedDaysAgo * DAY),
        status: 'active',
      }),
    )
  }
  st.push(
    insertRow('Credential', {
      id: id(),
      orgId,
      identityId,
      kind: 'token',
      label: 'deploy token',
      fingerprint: randomBytes(32).toString('hex'),
      createdAt: new Date(now.getTime() - 500 * DAY),
      status: 'active',
    }),
  )
  st.push(sql`UPDATE "Identity" SET "grantCount" = 3, "privileged" = ${true}, "credentialCount" = 1 WHERE "id" = ${identityId}`)
  await runSql(st)
}

test.describe('remediation (governance journey)', () => {
  // The last test reads what the first one revoked: run (and retry) them as one journey, never one alone in a fresh world.
  test.describe.configure({ mode: 'serial' })
  let org: TestOrg
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
    await giveAccess(org, org.identities[1].id)
    await giveAccess(org, org.identities[2].id, 'csv')
  })

  test('revokes a grant from the identity page and watches the job apply it (simulated demo source)', async ({ page }) => {
    const ident = org.identities[1]
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities/${ident.id}`)
    await expect(page.getByTestId('identity-remediation')).toContainText('Simulated (demo source)')
    const grants = page.getByTestId('grants')
    const admin = grants.locator('tr', { hasText: 'admin' })

    await expect(async () => {
      await page.getByRole('button', { name: 'Revoke admin on acme/payments' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const dialog = page.getByRole('dialog')
    await expect(dialog).toContainText('Revoke grant')
    // The justification is required.
    await dialog.getByRole('button', { name: 'Revoke' }).click()
    await expect(dialog).toContainText('at least 5 characters')
    await dialog.getByLabel('Justification (required)').fill('Admin on payments is unused for 200 days')
    await dialog.getByRole('button', { name: 'Revoke' }).click()
    await expect(dialog).toBeHidden({ timeout: 30_000 })

    // The worker picks the job up; the page polls and shows the outcome.
    await expect(admin.getByTestId('remediation-status')).toHaveAttribute('data-status', 'applied', { timeout: 30_000 })
    await expect(admin).toContainText('revoke applied')
    await expect(admin).toContainText('simulated')
    await expect(admin).toContainText('revoked')
    await expect(page.getByTestId('remediation-history')).toContainText('Admin on payments is unused for 200 days')

    // Bulk: the two remaining grants, with a dry-run preview first.
    await grants.getByLabel('Select all revocable grants').check()
    await page.getByRole('button', { name: 'Revoke selected…' }).click()
    const bulk = page.getByRole('dialog')
    await expect(bulk.getByTestId('remediation-preview')).toContainText('You are about to revoke 2 grants; 1 was used in the last 7 days')
    await bulk.getByLabel('Justification (required)').fill('Service decommissioned in Q3')
    await bulk.getByRole('button', { name: 'Revoke 2' }).click()
    await expect(bulk).toBeHidden()
    await expect(grants.locator('[data-status="applied"]')).toHaveCount(3, { timeout: 30_000 })

    // The Jobs page lists them, filterable by state and type.
    await page.goto(`/${org.slug}/jobs?type=revoke_grant&status=succeeded`)
    await expect(page.getByTestId('jobs-table').locator('tbody tr')).toHaveCount(3)
    await expect(page.getByTestId('jobs-table')).toContainText(ident.name)
  })

  test('a source that cannot be acted on becomes a manual task, marked done on the Jobs page', async ({ page }) => {
    const ident = org.identities[2]
    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities/${ident.id}`)
    await expect(page.getByTestId('identity-remediation')).toContainText('Manual')
    await expect(async () => {
      await page.getByRole('button', { name: 'Revoke token · deploy token' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    await page.getByRole('dialog').getByLabel('Justification (required)').fill('Token leaked in a support ticket')
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    const cred = page.getByTestId('credentials').locator('tbody tr').first()
    await expect(cred.getByTestId('remediation-status')).toHaveAttribute('data-status', 'manual', { timeout: 30_000 })

    await page.goto(`/${org.slug}/jobs`)
    const task = page.getByTestId('manual-tasks').locator('li', { hasText: ident.name })
    await expect(task).toContainText('Revoke or delete credential')
    await expect(async () => {
      await task.getByRole('button', { name: 'Mark done…' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    await page.getByRole('dialog').getByLabel('Note (optional)').fill('Revoked in the vendor console')
    await page.getByRole('dialog').getByRole('button', { name: 'Mark done' }).click()
    await expect(page.getByTestId('manual-tasks')).toHaveCount(0, { timeout: 30_000 })

    await page.goto(`/${org.slug}/identities/${ident.id}`)
    await expect(page.getByTestId('credentials').locator('tbody tr').first()).toContainText('revoke applied')
  })

  test('members and auditors see the state but no remediation controls; auditors see Jobs read-only', async ({ page }) => {
    await gotoAs(page, org.users.member.email, `/${org.slug}/identities/${org.identities[1].id}`)
    await expect(page.getByTestId('grants')).toContainText('revoke applied')
    await expect(page.getByRole('button', { name: /^Revoke/ })).toHaveCount(0)
    await expect(page.getByRole('button', { name: 'Disable…' })).toHaveCount(0)
    await page.goto(`/${org.slug}/jobs`)
    await expect(page.getByTestId('forbidden')).toBeVisible()

    await gotoAs(page, org.users.auditor.email, `/${org.slug}/jobs`)
    await expect(page.getByTestId('jobs-table')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0)
  })
})
