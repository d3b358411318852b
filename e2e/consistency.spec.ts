import type { Fragment } from '../lib/sql/sql'
import { createTestOrg, expect, gotoAs, insertRow, orgIdOf, rowId, runSql, sql, test, type Row } from './fixtures'

// What governance teams, owners and admins see agrees with itself: a settled finding is gone everywhere at once,
// every number matches the list it opens, and nothing a source named is lost on the way to the screen.
const DAY = 86_400_000

async function addUser(orgId: string, name: string, st: Fragment[]) {
  const id = rowId('u')
  st.push(insertRow('User', { id, email: `${id}@e2e.example`, name, active: true, createdAt: new Date() }))
  st.push(insertRow('Membership', { id: rowId('m'), orgId, userId: id, role: 'member', status: 'active', createdAt: new Date() }))
  return id
}

function campaign(orgId: string, r: Row): Row {
  return {
    id: rowId('c'),
    orgId,
    type: 'identity',
    scope: '{}',
    status: 'active',
    defaultDecision: 'open',
    currentStage: 1,
    launchedAt: new Date(),
    createdAt: new Date(),
    dueAt: new Date(Date.now() + 7 * DAY),
    ...r,
  }
}

function item(orgId: string, campaignId: string, identity: { id: string; name: string }, r: Row): Row {
  const snapshot = JSON.stringify({
    identity: { id: identity.id, name: identity.name, kind: 'bot', environment: 'production', status: 'active', source: 'GitHub e2e' },
    owner: null,
    team: null,
    via: 'owner',
    privileged: false,
    lastUsedAt: null,
    grantCount: 0,
    findings: [],
  })
  return {
    id: rowId('ri'),
    orgId,
    campaignId,
    identityId: identity.id,
    identityName: identity.name,
    snapshot,
    stage: 1,
    status: 'pending',
    createdAt: new Date(),
    ...r,
  }
}

test.describe('consistency (governance, owner and admin journeys)', () => {
  test('assigning an owner on the identity page settles NHI1 there and on the new owner’s My identities, with no recompute', async ({ page }) => {
    const org = await createTestOrg({ identities: 2 })
    const ident = org.identities[1]
    const orgId = await orgIdOf(org.slug)
    const now = new Date()
    await runSql([
      insertRow('Finding', {
        id: `${ident.id}-unowned`,
        orgId,
        identityId: ident.id,
        rule: 'unowned',
        owaspCode: 'NHI1',
        severity: 'high',
        title: 'No owner',
        status: 'open',
        firstSeenAt: now,
        lastSeenAt: now,
      }),
      sql`UPDATE "Identity" SET "riskScore" = 25, "openFindings" = 1 WHERE "id" = ${ident.id}`,
    ])
    await gotoAs(page, org.users.admin.email, `/${org.slug}/identities/${ident.id}`)
    await expect(page.getByRole('heading', { name: 'Findings (1)' })).toBeVisible()
    await expect(page.getByText('risk 25')).toBeVisible()

    await expect(async () => {
      await page.getByRole('button', { name: 'Edit ownership' }).click()
      await expect(page.getByRole('dialog')).toBeVisible({ timeout: 2000 })
    }).toPass()
    const owner = page.getByRole('dialog').getByRole('combobox', { name: 'Owner', exact: true })
    await owner.fill(org.users.member.name)
    await page
      .getByRole('dialog')
      .getByRole('option', { name: new RegExp(org.users.member.name) })
      .click()
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
    await expect(page.getByRole('dialog')).toBeHidden()
    await expect(page.getByRole('heading', { name: /^Findings/ })).toHaveCount(0)
    await expect(page.getByText('risk 0')).toBeVisible()

    await gotoAs(page, org.users.member.email, `/${org.slug}/my`)
    const row = page.getByTestId('my-identity').filter({ hasText: ident.name })
    await expect(row).toContainText('risk 0')
    await expect(row).not.toContainText('No owner')
    await expect(row.getByRole('cell').nth(2)).toHaveText('none')
  })

  test('campaign page: every reviewer is listed, and decided + by default + open add up to the header', async ({ page }) => {
    const org = await createTestOrg({ identities: 1 })
    const orgId = await orgIdOf(org.slug)
    const ident = { ...org.identities[0], name: 'rds-payments.cluster-c9x2.us-east-1' }
    await runSql([sql`UPDATE "Identity" SET "name" = ${ident.name}, "searchText" = ${ident.name} WHERE "id" = ${ident.id}`])
    const st: Fragment[] = []
    const light: string[] = []
    for (let n = 0; n < 12; n++) light.push(await addUser(orgId, `Reviewer ${String.fromCharCode(65 + n)}`, st))
    const heavy = await addUser(orgId, 'Zed Heavy', st)
    const active = campaign(orgId, {
      name: 'Active review',
      scope: JSON.stringify({ owner: org.users.member.id, kind: ['bot'] }),
      itemCount: 45,
      decidedCount: 21,
    })
    st.push(insertRow('Campaign', active))
    for (const r of light) for (let k = 0; k < 2; k++) st.push(insertRow('ReviewItem', item(orgId, active.id as string, ident, { reviewerId: r })))
    for (let k = 0; k < 21; k++) {
      st.push(
        insertRow(
          'ReviewItem',
          item(orgId, active.id as string, ident, { reviewerId: heavy, status: 'decided', decision: 'keep', decidedById: heavy, decidedAt: new Date() }),
        ),
      )
    }
    // Closed with the default "keep": 3 decided by the reviewer, 2 by default, 4 never answered ("don't know" counts as open).
    const closed = campaign(orgId, { name: 'Closed review', status: 'closed', defaultDecision: 'keep', closedAt: new Date(), itemCount: 9, decidedCount: 5 })
    st.push(insertRow('Campaign', closed))
    const one = light[0]
    for (let k = 0; k < 3; k++)
      st.push(
        insertRow(
          'ReviewItem',
          item(orgId, closed.id as string, ident, { reviewerId: one, status: 'closed', decision: 'revoke', decidedById: one, decidedAt: new Date() }),
        ),
      )
    for (let k = 0; k < 2; k++)
      st.push(
        insertRow(
          'ReviewItem',
          item(orgId, closed.id as string, ident, { reviewerId: one, status: 'closed', decision: 'keep', decidedById: null, decidedAt: new Date() }),
        ),
      )
    for (let k = 0; k < 4; k++)
      st.push(
        insertRow(
          'ReviewItem',
          item(orgId, closed.id as string, ident, {
            reviewerId: one,
            status: 'closed',
            decision: k === 0 ? 'unsure' : null,
            decidedById: k === 0 ? one : null,
          }),
        ),
      )
    await runSql(st)

    await gotoAs(page, org.users.governance.email, `/${org.slug}/campaigns/${active.id}`)
    await expect(page.getByTestId('stat-complete')).toContainText('21 of 45 items decided')
    // The scope names the owner; it never shows a raw id.
    await expect(page.getByTestId('campaign-scope')).toContainText(org.users.member.name)
    await expect(page.getByTestId('campaign-scope')).not.toContainText(org.users.member.id)
    const reviewers = page.getByRole('table', { name: 'Reviewers' })
    await expect(reviewers.getByTestId('reviewers-total')).toHaveText(/All reviewers\s*21\s*0\s*24/)
    const seen = new Set<string>()
    for (let guard = 0; guard < 5; guard++) {
      for (const name of await reviewers.locator('tbody tr th').allTextContents()) seen.add(name.trim())
      const next = page.getByRole('link', { name: 'Next reviewers' })
      if ((await next.count()) === 0) break
      await next.click()
      await expect(page).toHaveURL(/rpage=/)
    }
    expect(seen.size).toBe(13)
    expect(seen).toContain('Zed Heavy')

    // Identifiers keep their letters: Inter's contextual alternates would draw "c9x2" as "c9×2".
    const cell = page.getByRole('table', { name: 'Campaign items' }).getByText(ident.name).first()
    await expect(cell).toBeVisible()
    expect(await cell.evaluate((el) => getComputedStyle(el).fontFeatureSettings)).toContain('"calt" 0')

    await page.goto(`/${org.slug}/campaigns/${closed.id}`)
    await expect(page.getByTestId('stat-complete')).toContainText('5 of 9 items decided')
    await expect(page.getByTestId('stat-complete')).toContainText('2 by default')
    const row = page.getByRole('table', { name: 'Reviewers' }).locator('tbody tr', { hasText: 'Reviewer A' })
    await expect(row).toHaveText(/Reviewer A\s*3\s*2\s*4/)
    await expect(page.getByRole('table', { name: 'Reviewers' }).getByTestId('reviewers-total')).toHaveText(/All reviewers\s*3\s*2\s*4/)
  })

  test('the Jobs page names the grant, credential and campaign each job acts on', async ({ page }) => {
    const org = await createTestOrg({ identities: 2 })
    const orgId = await orgIdOf(org.slug)
    const ident = org.identities[1]
    const [[src]] = await runSql([sql`SELECT "sourceId" FROM "Identity" WHERE "id" = ${ident.id}`])
    const now = new Date()
    const st: Fragment[] = []
    const resourceId = rowId('r')
    const entId = rowId('e')
    const grantId = rowId('g')
    const credId = rowId('cr')
    st.push(
      insertRow('Resource', {
        id: resourceId,
        orgId,
        sourceId: src.sourceId as string,
        externalId: `repo-${resourceId}`,
        name: 'acme/payments',
        type: 'repository',
        createdAt: now,
      }),
    )
    st.push(
      insertRow('Entitlement', {
        id: entId,
        orgId,
        sourceId: src.sourceId as string,
        resourceId,
        externalId: `${resourceId}:admin`,
        name: 'admin',
        privileged: true,
        createdAt: now,
      }),
    )
    st.push(insertRow('Grant', { id: grantId, orgId, identityId: ident.id, entitlementId: entId, privileged: true, createdAt: now, status: 'revoked' }))
    st.push(
      insertRow('Credential', {
        id: credId,
        orgId,
        identityId: ident.id,
        kind: 'token',
        label: 'deploy token',
        fingerprint: rowId('fp'),
        createdAt: now,
        status: 'revoked',
      }),
    )
    const job = (type: string, payload: Record<string, unknown>) => {
      const id = rowId('j')
      st.push(
        insertRow('Job', {
          id,
          orgId,
          type,
          status: 'succeeded',
          payload: JSON.stringify(payload),
          idempotencyKey: id,
          attempts: 1,
          maxAttempts: 5,
          runAt: now,
          createdAt: now,
          updatedAt: now,
          finishedAt: now,
          progress: 0,
          total: 0,
        }),
      )
      return id
    }
    for (const [kind, target] of [
      ['revoke_grant', { grantId }],
      ['revoke_credential', { credentialId: credId }],
    ] as const) {
      const remId = rowId('rem')
      const jobId = job(kind, { remediationId: remId })
      st.push(
        insertRow('Remediation', {
          id: remId,
          orgId,
          identityId: ident.id,
          kind,
          status: 'applied',
          justification: 'e2e',
          jobId,
          createdAt: now,
          updatedAt: now,
          ...target,
        }),
      )
    }
    const c = campaign(orgId, { name: 'Quarterly bots review', status: 'closed' })
    st.push(insertRow('Campaign', c))
    job('launch_campaign', { campaignId: c.id })
    await runSql(st)

    await gotoAs(page, org.users.governance.email, `/${org.slug}/jobs`)
    const table = page.getByTestId('jobs-table')
    await expect(table.locator('tr', { hasText: 'Revoke grant' })).toContainText(`admin on acme/payments · ${ident.name}`)
    await expect(table.locator('tr', { hasText: 'Revoke credential' })).toContainText(`token deploy token · ${ident.name}`)
    await expect(table.locator('tr', { hasText: 'launch campaign' }).getByRole('link', { name: 'Quarterly bots review' })).toBeVisible()
  })

  test('dashboard and settings: each number counts what the list it opens shows', async ({ page }) => {
    const org = await createTestOrg({ identities: 13, identity: (i, users) => (i < 2 ? { ownerId: users.member.id } : undefined) })
    const orgId = await orgIdOf(org.slug)
    const st: Fragment[] = []
    // Thirteen sources, one identity each: the chart shows the largest and says how many more there are.
    for (const [n, ident] of org.identities.entries()) {
      const sid = rowId('s')
      st.push(
        insertRow('Source', {
          id: sid,
          orgId,
          name: `Source ${String(n).padStart(2, '0')}`,
          type: 'csv',
          config: '{}',
          status: 'active',
          createdAt: new Date(),
        }),
      )
      st.push(sql`UPDATE "Identity" SET "sourceId" = ${sid} WHERE "id" = ${ident.id}`)
    }
    // A deleted identity the member owned: counted nowhere.
    st.push(sql`UPDATE "Identity" SET "status" = 'deleted' WHERE "id" = ${org.identities[1].id}`)
    st.push(
      insertRow('Credential', {
        id: rowId('cr'),
        orgId,
        identityId: org.identities[2].id,
        kind: 'token',
        fingerprint: rowId('fp'),
        createdAt: new Date(Date.now() - 400 * DAY),
        status: 'active',
      }),
    )
    st.push(
      insertRow('Finding', {
        id: `${org.identities[2].id}-old-secret`,
        orgId,
        identityId: org.identities[2].id,
        rule: 'old-secret',
        owaspCode: 'NHI7',
        severity: 'medium',
        title: 'Secret not rotated in 90 days',
        status: 'open',
        firstSeenAt: new Date(),
        lastSeenAt: new Date(),
      }),
    )
    await runSql(st)

    await gotoAs(page, org.users.admin.email, `/${org.slug}`)
    const chart = page.getByTestId('chart-source')
    await expect(chart.getByText('and 2 more sources')).toBeVisible()
    await chart.getByText('and 2 more sources').click()
    await expect(chart.locator('details').getByRole('link', { name: /Source \d\d: 1/ })).toHaveCount(2)
    await expect(chart.getByRole('link', { name: /Source \d\d: 1/ })).toHaveCount(12)
    await expect(page.getByTestId('card-rotation')).toContainText('1 identity holds an older one')
    await page.getByTestId('card-rotation').click()
    await expect(page.getByTestId('identity-total')).toHaveText('1 non-human identity matches')

    await page.goto(`/${org.slug}/settings`)
    const member = page.getByTestId('members').locator('tr', { hasText: org.users.member.email })
    await expect(member.getByRole('link', { name: '1 identity' })).toBeVisible()
    await member.getByRole('link', { name: '1 identity' }).click()
    await expect(page.getByTestId('identity-total')).toHaveText('1 non-human identity matches')
  })
})
