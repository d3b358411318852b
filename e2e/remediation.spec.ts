import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createTestOrg, expect, gotoAs, test, type TestOrg } from './fixtures'

// Grants and credentials for the spec's identities, written straight to the database the server uses.
const url = process.env.DATABASE_URL ?? 'file:data/custodian.db'
type Row = Record<string, string | number | boolean | Date | null>
const id = () => `rem${randomBytes(10).toString('hex')}`
const DAY = 86_400_000

async function run(statements: { sql: string; args: unknown[] }[]) {
  const conv = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v)
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length))
    const out: unknown[] = []
    for (const s of statements) {
      const st = db.prepare(s.sql.replace(/\$\d+/g, '?'))
      out.push(st.reader ? st.all(...s.args.map(conv)) : st.run(...s.args.map(conv)))
    }
    db.close()
    return out as Row[][]
  }
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    const out: Row[][] = []
    for (const s of statements) out.push((await c.query(s.sql, s.args)).rows)
    return out
  } finally {
    await c.end()
  }
}
const insert = (table: string, r: Row) => {
  const cols = Object.keys(r)
  return { sql: `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`, args: cols.map((c) => r[c]) }
}

async function giveAccess(org: TestOrg, identityId: string, sourceType?: string) {
  const [[o]] = await run([{ sql: `SELECT "id" FROM "Organization" WHERE "slug" = $1`, args: [org.slug] }])
  const orgId = o.id as string
  const now = new Date()
  const st: { sql: string; args: unknown[] }[] = []
  let sourceId: string
  if (sourceType) {
    sourceId = id()
    st.push(insert('Source', { id: sourceId, orgId, name: `${sourceType} import ${sourceId.slice(-4)}`, type: sourceType, config: '{}', status: 'active', createdAt: now }))
    st.push({ sql: `UPDATE "Identity" SET "sourceId" = $1 WHERE "id" = $2`, args: [sourceId, identityId] })
  } else {
    const [[i]] = await run([{ sql: `SELECT "sourceId" FROM "Identity" WHERE "id" = $1`, args: [identityId] }])
    sourceId = i.sourceId as string
  }
  const resourceId = id()
  st.push(insert('Resource', { id: resourceId, orgId, sourceId, externalId: `repo-${resourceId}`, name: 'acme/payments', type: 'repository', environment: 'production', createdAt: now }))
  const ents: [string, boolean, number | null][] = [['admin', true, 200], ['write', false, 2], ['read', false, null]]
  for (const [name, privileged, usedDaysAgo] of ents) {
    const e = id()
    st.push(insert('Entitlement', { id: e, orgId, sourceId, resourceId, externalId: `${resourceId}:${name}`, name, privileged, createdAt: now }))
    st.push(insert('Grant', { id: id(), orgId, identityId, entitlementId: e, privileged, createdAt: new Date(now.getTime() - 300 * DAY), lastUsedAt: usedDaysAgo === null ? null : new Date(now.getTime() - usedDaysAgo * DAY), status: 'active' }))
  }
  st.push(insert('Credential', { id: id(), orgId, identityId, kind: 'token', label: 'deploy token', fingerprint: randomBytes(32).toString('hex'), createdAt: new Date(now.getTime() - 500 * DAY), status: 'active' }))
  st.push({ sql: `UPDATE "Identity" SET "grantCount" = 3, "privileged" = $1, "credentialCount" = 1 WHERE "id" = $2`, args: [true, identityId] })
  await run(st)
}

test.describe('remediation (governance journey)', () => {
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
    await expect(dialog).toBeHidden()

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
    await expect(page.getByTestId('manual-tasks')).toHaveCount(0)

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
