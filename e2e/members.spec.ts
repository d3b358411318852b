import { createHash, randomBytes } from 'node:crypto'
import { createTestOrg, execute, expect, gotoAs, insert, query, signInAs, sql, test, type TestOrg } from './fixtures'

const id = () => `mem${randomBytes(10).toString('hex')}`

test.describe('members (admin journey)', () => {
  let org: TestOrg
  let orgId: string
  test.beforeAll(async () => {
    org = await createTestOrg({ identities: 3 })
    ;[{ id: orgId }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${org.slug}`)
  })

  test('an admin invites a person by e-mail; they sign in, accept the link and join with the role', async ({ page, browser, context }) => {
    const email = `nia.${org.slug}@e2e.example`
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    const form = page.getByRole('form', { name: 'Invite a person' })
    await form.getByLabel('E-mail').fill('not an address')
    await expect(async () => {
      await form.getByRole('button', { name: 'Invite' }).click()
      await expect(form).toContainText('Enter an e-mail address', { timeout: 2000 })
    }).toPass()
    await form.getByLabel('E-mail').fill(email)
    await form.getByLabel('Role').selectOption({ label: 'Governance' })
    await form.getByRole('button', { name: 'Invite' }).click()

    // The link is shown once, copyable; only its hash is stored.
    const shown = page.getByTestId('invitation-link')
    await expect(shown).toContainText('shown only once')
    const link = await shown.getByLabel('Invitation link').inputValue()
    expect(link).toMatch(new RegExp(`^http://localhost:\\d+/invite/[A-Za-z0-9_-]{43}$`))
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await shown.getByRole('button', { name: 'Copy link' }).click()
    await expect(shown.getByRole('button', { name: 'Copied' })).toBeVisible()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link)
    const token = link.split('/').pop()!
    const [row] = await query<{ tokenHash: string; role: string }>(
      sql`SELECT "tokenHash", "role" FROM "Invitation" WHERE "orgId" = ${orgId} AND "email" = ${email}`,
    )
    expect(row).toEqual({ tokenHash: createHash('sha256').update(token).digest('hex'), role: 'governance' })
    await expect(page.getByTestId('invitations')).toContainText(email)
    await page.screenshot({ path: test.info().outputPath('settings-invited.png'), fullPage: true })

    // Someone else who gets hold of the link is refused.
    const other = await browser.newContext()
    const otherPage = await other.newPage()
    await signInAs(otherPage.request, org.users.member.email)
    await otherPage.goto(link)
    await expect(otherPage.getByTestId('invitation')).toContainText('This invitation is for someone else')
    await other.close()

    // The invitee: a person the identity provider knows (demo sign-in needs their user row; OIDC would create it).
    await insert('User', [{ id: id(), email, name: 'Nia Newcomer', active: true, demo: true, createdAt: new Date() }])
    const invitee = await browser.newContext()
    const p = await invitee.newPage()
    await signInAs(p.request, email)
    await p.goto(link)
    await expect(p.getByRole('heading', { name: `Join ${org.name}` })).toBeVisible()
    await expect(p.getByTestId('invite-role')).toHaveText('Governance')
    await p.screenshot({ path: test.info().outputPath('invite.png') })
    await expect(async () => {
      await p.getByRole('button', { name: `Join ${org.name}` }).click()
      await expect(p).toHaveURL(new RegExp(`/${org.slug}$`), { timeout: 5000 })
    }).toPass()
    await expect(p.getByTestId('current-user')).toHaveText('Nia Newcomer')
    // The link is spent.
    await p.goto(link)
    await expect(p.getByTestId('invitation')).toContainText(`You are a member of ${org.name}`)
    await invitee.close()

    await page.reload()
    const member = page.locator(`tr[data-member-email="${email}"]`)
    await expect(member).toContainText('Nia Newcomer')
    await expect(member.getByLabel('Role of Nia Newcomer')).toHaveValue('governance')
    await expect(page.getByTestId('invitations')).toHaveCount(0)
    const audit = await query<{ action: string }>(
      sql`SELECT "action" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" LIKE 'invitation.%' ORDER BY "seq"`,
    )
    expect(audit.map((a) => a.action)).toEqual(['invitation.create', 'invitation.accept'])
  })

  test('an admin revokes an invitation and the link says so', async ({ page, browser }) => {
    const email = `ray.${org.slug}@e2e.example`
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    const form = page.getByRole('form', { name: 'Invite a person' })
    await expect(async () => {
      await form.getByLabel('E-mail').fill(email)
      await form.getByRole('button', { name: 'Invite' }).click()
      await expect(page.getByTestId('invitation-link')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const link = await page.getByLabel('Invitation link').inputValue()
    await page.getByRole('button', { name: `Revoke the invitation to ${email}` }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await expect(page.locator(`tr[data-invitation-email="${email}"]`)).toHaveCount(0)
    await insert('User', [{ id: id(), email, name: 'Ray Revoked', active: true, demo: true, createdAt: new Date() }])
    const ctx = await browser.newContext()
    const p = await ctx.newPage()
    await signInAs(p.request, email)
    await p.goto(link)
    await expect(p.getByTestId('invitation')).toContainText('This invitation was revoked')
    await ctx.close()
  })

  test('an admin changes a member’s role; the last admin is protected', async ({ page }) => {
    await gotoAs(page, org.users.admin.email, `/${org.slug}/settings`)
    const row = page.locator(`tr[data-member-email="${org.users.auditor.email}"]`)
    await expect(async () => {
      await row.getByLabel(`Role of ${org.users.auditor.name}`).selectOption('member')
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    await expect(page.getByRole('dialog')).toContainText('from Auditor to Member (owner)')
    await page.getByRole('dialog').getByRole('button', { name: 'Change role' }).click()
    await expect(page.getByRole('dialog')).toBeHidden()
    await expect(row.getByLabel(`Role of ${org.users.auditor.name}`)).toHaveValue('member')
    const [a] = await query<{ details: string }>(sql`SELECT "details" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "action" = 'member.role-change'`)
    expect(JSON.parse(a.details)).toEqual({ from: 'auditor', to: 'member' })

    // The only admin cannot demote themselves.
    const me = page.locator(`tr[data-member-email="${org.users.admin.email}"]`)
    await me.getByLabel(`Role of ${org.users.admin.name}`).selectOption('governance')
    await expect(page.getByRole('dialog')).toContainText('Change your own role?')
    await page.getByRole('dialog').getByRole('button', { name: 'Change role' }).click()
    await expect(page.getByRole('dialog')).toContainText('You are the last admin of this organization')
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
    await expect(me.getByLabel(`Role of ${org.users.admin.name}`)).toHaveValue('admin')
  })

  test('owners who were deactivated or left are marked in the inventory and on the identity page', async ({ page }) => {
    const now = new Date()
    const tom = { id: id(), email: `tom.${org.slug}@e2e.example`, name: 'Tom Deactivated' }
    const rae = { id: id(), email: `rae.${org.slug}@e2e.example`, name: 'Rae Removed' }
    await insert('User', [
      { ...tom, active: false, createdAt: now },
      { ...rae, active: true, createdAt: now },
    ])
    await insert('Membership', [
      { id: id(), orgId, userId: tom.id, role: 'member', status: 'active', createdAt: now },
      { id: id(), orgId, userId: rae.id, role: 'member', status: 'removed', createdAt: now, removedAt: now },
    ])
    await execute(sql`UPDATE "Identity" SET "ownerId" = ${tom.id} WHERE "id" = ${org.identities[1].id}`)
    await execute(sql`UPDATE "Identity" SET "ownerId" = ${rae.id}, "backupOwnerId" = ${tom.id} WHERE "id" = ${org.identities[2].id}`)

    await gotoAs(page, org.users.governance.email, `/${org.slug}/identities?q=e2e-bot&sort=name&dir=asc`)
    const table = page.getByRole('table', { name: 'Identities' })
    const rowOf = (name: string) => table.locator('tbody tr', { hasText: name })
    await expect(rowOf(org.identities[1].name)).toContainText('Tom Deactivated')
    await expect(rowOf(org.identities[1].name).getByTestId('person-status')).toHaveAttribute('data-status', 'deactivated')
    await expect(rowOf(org.identities[2].name).getByTestId('person-status')).toHaveAttribute('data-status', 'left')
    await expect(rowOf(org.identities[0].name)).toContainText(org.users.member.name)
    await expect(rowOf(org.identities[0].name).getByTestId('person-status')).toHaveCount(0)
    await page.screenshot({ path: test.info().outputPath('inventory-left.png') })

    await page.goto(`/${org.slug}/identities/${org.identities[2].id}`)
    await expect(page.getByTestId('person-status')).toHaveCount(2)
    await expect(page.getByTestId('person-status').first()).toHaveText('left')
    await expect(page.getByTestId('person-status').last()).toHaveText('deactivated')
  })
})
