import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test'
import AxeBuilder from '@axe-core/playwright'
import { openDriverSql, type DriverSql } from '../lib/sql/driver'
import { sql, type Fragment } from '../lib/sql/sql'

// Straight reads and writes on the database the server under test uses (scripts/test.sh sets DATABASE_URL for both),
// written with lib/sql's builder: `await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${slug}`)`.
const url = process.env.DATABASE_URL ?? `file:${path.resolve('data/custodian.db')}`
export { sql }

export type Row = Record<string, string | number | boolean | Date | null>

async function withDb<T>(fn: (s: DriverSql) => Promise<T>): Promise<T> {
  const s = await openDriverSql(url)
  try {
    return await fn(s)
  } finally {
    await s.close()
  }
}

// One connection per test worker for single statements: a new PostgreSQL connection per statement cost the
// authorization matrix (tens of thousands of reads) minutes. Transactions and bulk inserts keep their own connection,
// so a test's concurrent reads never land inside one. The worker process exits when its tests end, closing it.
let shared: Promise<DriverSql> | null = null
async function onShared<T>(fn: (s: DriverSql) => Promise<T>): Promise<T> {
  shared ??= openDriverSql(url).catch((e: unknown) => {
    shared = null
    throw e
  })
  return fn(await shared)
}

/** The rows of one statement. */
export function query<T = Record<string, unknown>>(q: Fragment): Promise<T[]> {
  return onShared((s) => s.query<T>(q))
}

/** Runs one statement; returns how many rows it changed. */
export function execute(q: Fragment): Promise<number> {
  return onShared((s) => s.execute(q))
}

/** Statements in one transaction; returns each one's rows. */
export function runSql(statements: Fragment[]): Promise<Row[][]> {
  return withDb((s) =>
    s.transaction(async (tx) => {
      const out: Row[][] = []
      for (const q of statements) out.push(await tx.query<Row>(q))
      return out
    }),
  )
}

/** One row's INSERT statement, for runSql. */
export function insertRow(table: string, row: Row): Fragment {
  const cols = Object.keys(row)
  return sql`INSERT INTO ${sql.ident(table)} (${sql.join(cols.map(sql.ident))}) VALUES (${sql.join(cols.map((c) => row[c]))})`
}

/** Rows of one table (missing columns are NULL). */
export async function insert(table: string, rows: Row[]) {
  if (rows.length === 0) return
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  await withDb((s) => s.insertObjects(table, cols, rows))
}

export const rowId = (prefix = 'e2e') => `${prefix}${randomBytes(10).toString('hex')}`

/** Today and tomorrow (UTC, yyyy-mm-dd): the slots in the keys of the daily schedulers' jobs. */
export const todayAndTomorrow = () => [0, 1].map((d) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10))

/**
 * The app's worker runs every scheduler each minute, and a new test organization gets its nightly jobs at the next
 * tick: the findings recompute resolves findings a test wrote by hand, the snapshot and retention write rows. A keyed
 * job (succeeded) of each type for each slot already exists, so the schedulers enqueue nothing while the test runs.
 */
export async function holdScheduledJobs(orgId: string, types: readonly string[], slots: readonly string[] = todayAndTomorrow()) {
  const now = new Date()
  await insert(
    'Job',
    types.flatMap((type) =>
      slots.map((slot) => ({
        id: rowId(),
        orgId,
        type,
        status: 'succeeded',
        payload: '{}',
        idempotencyKey: `${type}:${orgId}:${slot}`,
        attempts: 1,
        maxAttempts: 1,
        runAt: now,
        progress: 0,
        total: 0,
        createdAt: now,
        updatedAt: now,
      })),
    ),
  )
}

export async function orgIdOf(slug: string): Promise<string> {
  const [org] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${slug}`)
  return org.id
}

const id = () => rowId()

export type TestOrg = {
  slug: string
  name: string
  users: Record<'admin' | 'governance' | 'member' | 'auditor', { id: string; email: string; name: string }>
  identities: { id: string; name: string }[]
}

/** A fresh organization with one person per role and a few identities, written straight to the database. */
export async function createTestOrg(
  opts: {
    identities?: number
    /** Column overrides per identity (e.g. name, metadata, backupOwnerId), given the org's people. */
    identity?: (i: number, users: TestOrg['users']) => Record<string, Row[string] | undefined> | undefined
    /** false: the people are ordinary (non-demo) people, whom the demo sign-in must refuse */
    demo?: boolean
  } = {},
): Promise<TestOrg> {
  const now = new Date()
  const suffix = randomBytes(3).toString('hex')
  const orgId = id()
  const slug = `e2e-${suffix}`
  const name = `E2E ${suffix}`
  await insert('Organization', [{ id: orgId, slug, name, settings: '{}', auditSeq: 0, auditHash: '', createdAt: now }])
  const users = {} as TestOrg['users']
  for (const role of ['admin', 'governance', 'member', 'auditor'] as const) {
    const u = { id: id(), email: `${role}.${suffix}@e2e.example`, name: `${role[0].toUpperCase()}${role.slice(1)} ${suffix}` }
    users[role] = u
    // The spec's personas, signed in through the demo provider, which accepts only people marked demo.
    await insert('User', [{ id: u.id, email: u.email, name: u.name, active: true, demo: opts.demo ?? true, createdAt: now }])
    await insert('Membership', [{ id: id(), orgId, userId: u.id, role, status: 'active', createdAt: now }])
  }
  const sourceId = id()
  await insert('Source', [{ id: sourceId, orgId, name: 'GitHub e2e', type: 'github', config: '{"simulated":true}', status: 'active', createdAt: now }])
  const identities: TestOrg['identities'] = []
  const rows: Row[] = []
  const n = opts.identities ?? 3
  for (let i = 0; i < n; i++) {
    const ident = { id: id(), name: `e2e-bot-${String(i).padStart(3, '0')}` }
    identities.push(ident)
    rows.push({
      id: ident.id,
      orgId,
      sourceId,
      externalId: `ext-${ident.id}`,
      name: ident.name,
      searchText: ident.name,
      kind: i % 2 ? 'bot' : 'api_key',
      environment: 'production',
      status: 'active',
      createdAt: now,
      discoveredAt: now,
      updatedAt: now,
      metadata: '{}',
      privileged: false,
      grantCount: 0,
      credentialCount: 0,
      riskScore: i,
      openFindings: 0,
      ownerId: i === 0 ? users.member.id : null,
    })
    const row = rows[rows.length - 1]
    for (const [k, v] of Object.entries(opts.identity?.(i, users) ?? {})) if (v !== undefined) row[k] = v
    if (typeof row.name === 'string' && row.name !== ident.name) {
      ident.name = row.name
      row.searchText = row.name.toLowerCase()
    }
  }
  await insert('Identity', rows)
  return { slug, name, users, identities }
}

/** Signs in through Auth.js's demo credentials endpoint (only the sign-in spec drives the form). */
export async function signInAs(request: APIRequestContext, email: string) {
  const csrf = await (await request.get('/api/auth/csrf')).json()
  const res = await request.post('/api/auth/callback/demo', {
    form: { email, csrfToken: csrf.csrfToken, callbackUrl: '/' },
    maxRedirects: 0,
  })
  expect([200, 302]).toContain(res.status())
  const session = await (await request.get('/api/auth/session')).json()
  expect(session?.user?.email).toBe(email)
}

export async function gotoAs(page: Page, email: string, path: string) {
  await signInAs(page.request, email)
  await page.goto(path)
}

/**
 * An active identity-attestation campaign of the test organization whose items (one per listed identity) wait for
 * the member, written straight to the database like a launch would leave them.
 */
export async function createActiveCampaign(
  org: TestOrg,
  opts: { identities?: number[]; name?: string; justificationRule?: string; recommendation?: 'keep' | 'revoke'; defaultDecision?: string } = {},
) {
  const orgId = await orgIdOf(org.slug)
  const now = new Date()
  const campaignId = id()
  const picked = (opts.identities ?? org.identities.map((_, i) => i)).map((i) => org.identities[i])
  await insert('Campaign', [
    {
      id: campaignId,
      orgId,
      name: opts.name ?? `Review ${campaignId.slice(-4)}`,
      type: 'identity',
      scope: '{}',
      status: 'active',
      fallbackReviewerId: org.users.governance.id,
      secondStage: 'none',
      reminders: '[]',
      defaultDecision: opts.defaultDecision ?? 'open',
      justificationRule: opts.justificationRule ?? 'never',
      autoRemediate: false,
      recurrence: 'none',
      currentStage: 1,
      graceDays: 0,
      fallbackCount: 0,
      itemCount: picked.length,
      decidedCount: 0,
      dueAt: new Date(Date.now() + 14 * 86_400_000),
      createdById: org.users.governance.id,
      createdAt: now,
      launchedAt: now,
    },
  ])
  const rec = opts.recommendation ?? 'keep'
  const items = picked.map((ident) => ({
    id: id(),
    orgId,
    campaignId,
    identityId: ident.id,
    reviewerId: org.users.member.id,
    stage: 1,
    snapshot: JSON.stringify({
      identity: { id: ident.id, name: ident.name, kind: 'api_key', environment: 'production', status: 'active', source: 'GitHub e2e' },
      owner: null,
      team: null,
      via: 'owner',
      privileged: false,
      lastUsedAt: null,
      findings: [],
      grantCount: 0,
    }),
    recommendation: rec,
    recommendationReason: rec === 'keep' ? 'used recently: keep' : 'never used: revoke',
    status: 'pending',
    version: 0,
    remediationStatus: 'none',
    privileged: false,
    identityName: ident.name,
    createdAt: now,
  }))
  await insert('ReviewItem', items)
  return { id: campaignId, items: items.map((i) => ({ id: i.id, identityName: i.identityName })) }
}

// Accessibility: the first time any journey opens a page (by route: ids and the organization's slug do not count),
// axe-core scans it against WCAG 2.1 AA and the journey fails on any violation. Pages reached by clicking are
// covered when another journey opens them with goto; e2e/accessibility.spec.ts opens the rest.
const scanned = new Set<string>()
const ID_SEGMENT = /^(c[a-z0-9]{20,}|e2e[0-9a-f]{8,}|mx[0-9a-f]{8,}|[0-9a-f]{24,}|[A-Za-z0-9_-]{40,})$/

export function routeKey(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean)
  const [first, ...rest] = parts
  if (!first || ['sign-in', 'api', 'invite'].includes(first)) return `/${[first ?? '', ...rest.map((p) => (ID_SEGMENT.test(p) ? ':id' : p))].join('/')}`
  return `/:org${rest.map((p) => `/${ID_SEGMENT.test(p) ? ':id' : p}`).join('')}`
}

export async function expectAccessible(page: Page, label = page.url()) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const lines = results.violations.flatMap((v) => [
    `${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')} — ${(n.failureSummary ?? '').split('\n')[1]?.trim() ?? ''}`),
  ])
  expect(lines, `accessibility violations (WCAG 2.1 AA) on ${label}`).toEqual([])
}

export const test = base.extend({
  // (the fixture's callback is named provide: eslint's React rules read `use` as a hook)
  page: async ({ page }, provide) => {
    const goto = page.goto.bind(page)
    page.goto = async (url, options) => {
      const res = await goto(url, options)
      const key = routeKey(new URL(page.url()).pathname)
      if (res && res.ok() && !scanned.has(key) && (res.headers()['content-type'] ?? '').includes('text/html')) {
        scanned.add(key)
        await page.waitForLoadState('networkidle').catch(() => {})
        await expectAccessible(page, `${key} (${page.url()})`)
      }
      return res
    }
    await provide(page)
  },
})
export { expect }
