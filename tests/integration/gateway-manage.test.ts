import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseToken } from '@/lib/api-tokens/format'
import { authenticate } from '@/lib/api/authenticate'
import { bulkDecide } from '@/lib/campaigns/decide'
import { createCampaign, requestClose } from '@/lib/campaigns/mutations'
import { campaignInputSchema } from '@/lib/campaigns/schemas'
import { db } from '@/lib/db'
import { gatewayGrantsScheduler } from '@/lib/gateway/jobs'
import { drainJobs } from '@/lib/jobs/worker'
import { settleFindings } from '@/lib/findings/recompute'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@/lib/errors'
import { createRoute, createRule, deleteRoute, deleteRule, issueGatewayToken, syncRuleGrants, updateRoute } from '@/lib/gateway/mutations'
import { CALLERS_SHOWN, getRouteOrThrow, identityGatewayAccess, listGatewayCalls, listRoutes } from '@/lib/gateway/queries'
import { createRouteSchema, createRuleSchema, routeBodySchema, ruleBodySchema } from '@/lib/gateway/schemas'
import { requestRemediation } from '@/lib/remediation/mutations'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>

const route = (over: Record<string, unknown> = {}) =>
  routeBodySchema.parse({
    name: uid('Orders '),
    pathPrefix: `/${uid('orders-')}`,
    upstreamUrl: 'https://orders.internal.example/v1',
    environment: 'production',
    ...over,
  })
const rule = (over: Record<string, unknown>) => ruleBodySchema.parse({ methods: ['GET', 'POST'], paths: ['/orders/*'], ...over })
const audits = (orgId: string, action: string) => db.auditEvent.findMany({ where: { orgId, action }, orderBy: { seq: 'asc' } })

/** The change signal a gateway process watches: the version row on SQLite, a NOTIFY on PostgreSQL. */
class ChangeSignal {
  private client: pg.Client | null = null
  private notes: string[] = []
  async start() {
    if (engine !== 'postgresql') return
    this.client = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await this.client.connect()
    this.client.on('notification', (n) => this.notes.push(n.payload ?? ''))
    await this.client.query('LISTEN custodian_gateway')
  }
  async stop() {
    await this.client?.end()
  }
  /** Runs fn and tells whether the organization's signal fired (version bumped, or a NOTIFY with its id arrived). */
  async fires(orgId: string, fn: () => Promise<unknown>): Promise<boolean> {
    if (engine !== 'postgresql') {
      const before = (await db.gatewayVersion.findUnique({ where: { orgId } }))?.version ?? 0
      await fn()
      const after = (await db.gatewayVersion.findUnique({ where: { orgId } }))?.version ?? 0
      return after > before
    }
    this.notes = []
    await fn()
    for (let i = 0; i < 50 && !this.notes.includes(orgId); i++) await new Promise((r) => setTimeout(r, 20))
    return this.notes.includes(orgId)
  }
}

async function grantsOf(ruleId: string) {
  const r = await db.gatewayRule.findUniqueOrThrow({ where: { id: ruleId } })
  return db.grant.findMany({ where: { entitlementId: r.entitlementId }, orderBy: { identityId: 'asc' } })
}

/** One allowed gateway call recorded a day ago (use within any dormancy window). */
async function calledYesterday(orgId: string, identityId: string, routeId: string) {
  await db.gatewayCall.create({
    data: { orgId, identityId, routeId, at: new Date(Date.now() - 86_400_000), method: 'GET', path: '/orders/1', status: 200, latencyMs: 1, decision: 'allow' },
  })
}

/** A review campaign over the identities matching `q`, launched (its items made) before it returns. */
async function launchReview(
  org: Awaited<ReturnType<typeof createOrg>>,
  q: string,
  opts: { type: 'entitlement' | 'identity'; defaultDecision: 'open' | 'recommendation'; justificationRule: 'revoke' | 'never' },
) {
  const c = await createCampaign(
    org.ctx('governance'),
    campaignInputSchema.parse({
      orgSlug: org.org.slug,
      name: uid('Gateway review '),
      scope: { q },
      fallbackReviewerId: org.people.governance.id,
      dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      launch: true,
      ...opts,
    }),
  )
  await drainJobs()
  return c
}

describe(`gateway management (${engine})`, () => {
  const signal = new ChangeSignal()
  let o: Org
  beforeAll(async () => {
    await signal.start()
    o = await createOrg()
  })
  afterAll(() => signal.stop())

  it('creates a route as a Resource of the organization gateway Source, with its audit row', async () => {
    const input = route({ authKind: 'header', authHeader: 'Authorization', authPrefix: 'Bearer ', secretRef: 'ORDERS_API_KEY' })
    const r = await createRoute(o.ctx('admin'), input)
    const resource = await db.resource.findUniqueOrThrow({ where: { id: r.resourceId }, include: { source: true } })
    expect(resource).toMatchObject({ orgId: o.org.id, type: 'gateway_route', externalId: r.id, name: input.name, environment: 'production' })
    expect(resource.source).toMatchObject({ name: 'Custodian gateway', type: 'gateway', config: '{}' })
    const [a] = await audits(o.org.id, 'gateway-route.create')
    expect(a).toMatchObject({ targetId: r.id, actorId: o.people.admin.id })
    expect(JSON.parse(a.details)).toMatchObject({ pathPrefix: input.pathPrefix, upstream: 'orders.internal.example', secretRef: 'ORDERS_API_KEY' })

    // a second route reuses the same source
    const r2 = await createRoute(o.ctx('governance'), route())
    const res2 = await db.resource.findUniqueOrThrow({ where: { id: r2.resourceId } })
    expect(res2.sourceId).toBe(resource.sourceId)
    expect(await db.source.count({ where: { orgId: o.org.id, type: 'gateway' } })).toBe(1)

    await expect(createRoute(o.ctx('admin'), route({ pathPrefix: input.pathPrefix }))).rejects.toThrow(ConflictError)
    await expect(createRoute(o.ctx('member'), route())).rejects.toThrow(ForbiddenError)
    await expect(createRoute(o.ctx('auditor'), route())).rejects.toThrow(ForbiddenError)
  })

  it('refuses invalid input with messages a person can act on', () => {
    const bad = createRouteSchema.safeParse({
      orgSlug: 'x',
      name: '',
      pathPrefix: '/Orders/',
      upstreamUrl: 'ftp://files.example',
      authKind: 'header',
      secretRef: 'sk_live_abc123',
      ratePerSecond: 0,
    })
    expect(bad.success).toBe(false)
    const errors = bad.error!.flatten().fieldErrors as Record<string, string[]>
    expect(errors.name?.[0]).toMatch(/name/)
    expect(errors.pathPrefix?.[0]).toMatch(/segment/)
    expect(errors.upstreamUrl?.[0]).toMatch(/http/)
    expect(errors.secretRef?.[0]).toMatch(/environment variable/)
    expect(errors.ratePerSecond?.[0]).toMatch(/at least 1/)
    const creds = routeBodySchema.safeParse({ name: 'a', pathPrefix: '/a', upstreamUrl: 'https://user:pw@api.example' })
    expect(creds.error!.flatten().fieldErrors.upstreamUrl?.[0]).toMatch(/credentials/)
    const missing = routeBodySchema.safeParse({ name: 'a', pathPrefix: '/a', upstreamUrl: 'https://api.example', authKind: 'oauth2_client_credentials' })
    expect(Object.keys(missing.error!.flatten().fieldErrors).sort()).toEqual(['oauthClientId', 'oauthTokenUrl', 'secretRef'])
    const r = createRuleSchema.safeParse({ orgSlug: 'x', routeId: 'r1', principalType: 'team', methods: ['FETCH'], paths: ['orders'] })
    const re = r.error!.flatten().fieldErrors as Record<string, string[]>
    expect(re.methods?.[0]).toMatch(/GET, HEAD/)
    expect(re.paths?.[0]).toMatch(/start with \//)
    const noTeam = createRuleSchema.safeParse({ orgSlug: 'x', routeId: 'r1', principalType: 'team', methods: ['GET'], paths: ['/orders'] })
    expect((noTeam.error!.flatten().fieldErrors as Record<string, string[]>).teamId?.[0]).toMatch(/Choose the team/)
    expect(ruleBodySchema.parse({ principalType: 'tag', tagKey: 'app', tagValue: 'x', methods: ['GET', '*'], paths: '/a, /b/*' })).toMatchObject({
      methods: ['*'],
      paths: ['/a', '/b/*'],
    })
  })

  it('mirrors a rule as an Entitlement with a Grant per identity reached (identity, team, tag), and keeps roll-ups right', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const solo = await addIdentity(o.org.id, o.source.id)
    const team = await db.team.create({ data: { orgId: o.org.id, slug: uid('team-'), name: 'Payments' } })
    const t1 = await addIdentity(o.org.id, o.source.id)
    const t2 = await addIdentity(o.org.id, o.source.id)
    const gone = await addIdentity(o.org.id, o.source.id, { status: 'deleted' })
    await db.identity.updateMany({ where: { id: { in: [t1.id, t2.id, gone.id] } }, data: { teamId: team.id } })
    const tagged = await addIdentity(o.org.id, o.source.id)
    await db.identityTag.create({ data: { orgId: o.org.id, identityId: tagged.id, key: 'app', value: 'orders' } })
    await db.identityTag.create({ data: { orgId: o.org.id, identityId: t1.id, key: 'app', value: 'billing' } })

    const ctx = o.ctx('governance')
    const ri = await createRule(ctx, r.id, rule({ principalType: 'identity', identityId: solo.id }))
    const ent = await db.entitlement.findUniqueOrThrow({ where: { id: ri.entitlementId } })
    expect(ent).toMatchObject({ resourceId: r.resourceId, externalId: ri.id, name: 'GET, POST /orders/*', privileged: true })
    expect((await grantsOf(ri.id)).map((g) => [g.identityId, g.privileged, g.status])).toEqual([[solo.id, true, 'active']])
    expect(await db.identity.findUniqueOrThrow({ where: { id: solo.id } })).toMatchObject({ grantCount: 1, privileged: true })

    const rt = await createRule(ctx, r.id, rule({ principalType: 'team', teamId: team.id, methods: ['GET'] }))
    expect(rt.privileged).toBe(false)
    expect((await grantsOf(rt.id)).map((g) => g.identityId).sort()).toEqual([t1.id, t2.id].sort())
    expect(await db.identity.findUniqueOrThrow({ where: { id: t1.id } })).toMatchObject({ grantCount: 1, privileged: false })

    const rg = await createRule(ctx, r.id, rule({ principalType: 'tag', tagKey: 'app', tagValue: 'orders', methods: ['GET'] }))
    expect((await grantsOf(rg.id)).map((g) => g.identityId)).toEqual([tagged.id])
    const [a] = (await audits(o.org.id, 'gateway-rule.create')).filter((x) => JSON.parse(x.details).ruleId === rg.id)
    expect(JSON.parse(a.details)).toMatchObject({ principal: 'tag app=orders', grants: 1 })

    // the team grows: sync adds its new identity; one leaves: its grant goes
    const t3 = await addIdentity(o.org.id, o.source.id)
    await db.identity.update({ where: { id: t3.id }, data: { teamId: team.id } })
    await db.identity.update({ where: { id: t2.id }, data: { teamId: null } })
    const synced = await db.$transaction((tx) => syncRuleGrants(tx, rt.id))
    expect(synced).toEqual({ added: 1, removed: 1 })
    expect((await grantsOf(rt.id)).map((g) => g.identityId).sort()).toEqual([t1.id, t3.id].sort())
    expect(await db.identity.findUniqueOrThrow({ where: { id: t2.id } })).toMatchObject({ grantCount: 0 })

    // the route's page reads it back
    const page = await getRouteOrThrow(o.ctx('auditor'), r.id)
    expect(page.rules.map((x) => x.id).sort()).toEqual([ri.id, rt.id, rg.id].sort())
    const list = await listRoutes(o.ctx('member'))
    expect(list.find((x) => x.id === r.id)).toMatchObject({ rules: 3, upstreamHost: 'orders.internal.example' })

    // removing a rule takes its entitlement and grants with it
    await deleteRule(o.ctx('admin'), ri.id)
    expect(await db.entitlement.findUnique({ where: { id: ri.entitlementId } })).toBeNull()
    expect(await db.identity.findUniqueOrThrow({ where: { id: solo.id } })).toMatchObject({ grantCount: 0, privileged: false })
    expect(await audits(o.org.id, 'gateway-rule.delete')).toHaveLength(1)

    // a route moved out of production: its write rules are no longer privileged
    const rw = await createRule(ctx, r.id, rule({ principalType: 'identity', identityId: solo.id, methods: ['DELETE'] }))
    expect(rw.privileged).toBe(true)
    await updateRoute(ctx, r.id, { environment: 'staging' })
    expect(await db.entitlement.findUniqueOrThrow({ where: { id: rw.entitlementId } })).toMatchObject({ privileged: false })
    expect(await db.identity.findUniqueOrThrow({ where: { id: solo.id } })).toMatchObject({ grantCount: 1, privileged: false })

    await deleteRoute(ctx, r.id)
    expect(await db.resource.findUnique({ where: { id: r.resourceId } })).toBeNull()
    expect(await db.grant.count({ where: { identityId: { in: [solo.id, t1.id, t3.id, tagged.id] } } })).toBe(0)
    expect(await db.identity.findUniqueOrThrow({ where: { id: t1.id } })).toMatchObject({ grantCount: 0 })
    expect(await audits(o.org.id, 'gateway-route.delete')).toHaveLength(1)
  })

  it('the hourly job brings team and tag rules in step with moved identities and new tags, audited', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const team = await db.team.create({ data: { orgId: o.org.id, slug: uid('team-'), name: 'Ledger' } })
    const member = await addIdentity(o.org.id, o.source.id)
    await db.identity.update({ where: { id: member.id }, data: { teamId: team.id } })
    const ctx = o.ctx('governance')
    const rt = await createRule(ctx, r.id, rule({ principalType: 'team', teamId: team.id, methods: ['GET'] }))
    const rg = await createRule(ctx, r.id, rule({ principalType: 'tag', tagKey: 'svc', tagValue: 'ledger', methods: ['GET'] }))
    // after the rules: one identity joins the team, one leaves, another gets the tag (as an import would write them)
    const joiner = await addIdentity(o.org.id, o.source.id)
    await db.identity.update({ where: { id: joiner.id }, data: { teamId: team.id } })
    await db.identity.update({ where: { id: member.id }, data: { teamId: null } })
    const tagged = await addIdentity(o.org.id, o.source.id)
    await db.identityTag.create({ data: { orgId: o.org.id, identityId: tagged.id, key: 'svc', value: 'ledger' } })
    expect((await grantsOf(rt.id)).map((g) => g.identityId)).toEqual([member.id])
    expect(await grantsOf(rg.id)).toEqual([])

    await gatewayGrantsScheduler.run(new Date())
    await gatewayGrantsScheduler.run(new Date()) // the same hour: no second job
    expect(await db.job.count({ where: { orgId: o.org.id, type: 'sync_gateway_grants' } })).toBe(1)
    await drainJobs()
    expect((await grantsOf(rt.id)).map((g) => g.identityId)).toEqual([joiner.id])
    expect((await grantsOf(rg.id)).map((g) => g.identityId)).toEqual([tagged.id])
    expect(await db.identity.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ grantCount: 0 })
    const synced = (await audits(o.org.id, 'gateway-rule.grants-synced')).map((a) => [a.targetId, JSON.parse(a.details)])
    expect(synced).toEqual(
      expect.arrayContaining([
        [rt.id, { added: 1, removed: 1 }],
        [rg.id, { added: 1, removed: 0 }],
      ]),
    )
    await deleteRoute(o.ctx('admin'), r.id)
  })

  it("refuses another organization's route, rule, identity and team as not found, and audits the refusal", async () => {
    const other = await createOrg('Other')
    const theirs = await createRoute(other.ctx('admin'), route())
    const theirIdentity = await addIdentity(other.org.id, other.source.id)
    const theirTeam = await db.team.create({ data: { orgId: other.org.id, slug: uid('team-'), name: 'Theirs' } })
    const theirRule = await createRule(other.ctx('admin'), theirs.id, rule({ principalType: 'identity', identityId: theirIdentity.id }))
    const mine = await createRoute(o.ctx('admin'), route())
    const ctx = o.ctx('admin')
    await expect(updateRoute(ctx, theirs.id, { status: 'disabled' })).rejects.toThrow(NotFoundError)
    await expect(deleteRoute(ctx, theirs.id)).rejects.toThrow(NotFoundError)
    await expect(createRule(ctx, theirs.id, rule({ principalType: 'tag', tagKey: 'a', tagValue: 'b' }))).rejects.toThrow(NotFoundError)
    await expect(deleteRule(ctx, theirRule.id)).rejects.toThrow(NotFoundError)
    await expect(getRouteOrThrow(ctx, theirs.id)).rejects.toThrow(NotFoundError)
    await expect(createRule(ctx, mine.id, rule({ principalType: 'identity', identityId: theirIdentity.id }))).rejects.toThrow(ValidationError)
    await expect(createRule(ctx, mine.id, rule({ principalType: 'team', teamId: theirTeam.id }))).rejects.toThrow(ValidationError)
    await expect(issueGatewayToken(ctx, { identityId: theirIdentity.id, name: 'x', expiresInDays: 1 })).rejects.toThrow(NotFoundError)
    expect(await db.gatewayRoute.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ status: 'active' })
    expect(await db.gatewayRule.count({ where: { id: theirRule.id } })).toBe(1)
    expect(await db.gatewayRule.count({ where: { routeId: mine.id } })).toBe(0)
  })

  it('writes the change and its audit row in one transaction: a failing audit insert rolls the route back', async () => {
    const name = uid('Rollback ')
    // a context whose request id cannot be written into the audit row's JSON: the audit insert throws after the route's
    const broken = { ...o.ctx('admin'), requestId: 1n as unknown as string }
    await expect(createRoute(broken, route({ name }))).rejects.toThrow(/BigInt/)
    expect(await db.gatewayRoute.count({ where: { name } })).toBe(0)
    expect(await db.resource.count({ where: { name } })).toBe(0)
  })

  it('updates and disables a route with audit rows, and checks the combined settings', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    await updateRoute(o.ctx('admin'), r.id, { status: 'disabled' })
    expect(await db.gatewayRoute.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ status: 'disabled' })
    const [a] = (await audits(o.org.id, 'gateway-route.disable')).filter((x) => x.targetId === r.id)
    expect(JSON.parse(a.details)).toMatchObject({ status: { from: 'active', to: 'disabled' } })
    await expect(updateRoute(o.ctx('admin'), r.id, { authKind: 'header' })).rejects.toThrow(/header/)
    await updateRoute(o.ctx('admin'), r.id, { authKind: 'header', authHeader: 'X-Api-Key', secretRef: 'ORDERS_KEY', ratePerSecond: 10, burst: 20 })
    expect(await db.gatewayRoute.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ authHeader: 'X-Api-Key', secretRef: 'ORDERS_KEY', burst: 20 })
    await updateRoute(o.ctx('admin'), r.id, { authKind: 'none' })
    expect(await db.gatewayRoute.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ authHeader: null, secretRef: null })
    await expect(updateRoute(o.ctx('member'), r.id, { status: 'active' })).rejects.toThrow(ForbiddenError)
  })

  it('revokes a gateway grant in place through a remediation (a campaign decision or by hand): applied at once, no connector', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const id = await addIdentity(o.org.id, o.source.id)
    const rl = await createRule(o.ctx('admin'), r.id, rule({ principalType: 'identity', identityId: id.id }))
    const [g] = await grantsOf(rl.id)
    let out!: Awaited<ReturnType<typeof requestRemediation>>
    const fired = await signal.fires(o.org.id, async () => {
      out = await requestRemediation(o.ctx('governance'), { kind: 'revoke_grant', identityId: id.id, grantId: g.id, justification: 'unused for 90 days' })
    })
    expect(fired).toBe(true)
    expect(out.remediation).toMatchObject({ status: 'applied', simulated: false, openKey: null })
    expect(await db.grant.findUniqueOrThrow({ where: { id: g.id } })).toMatchObject({ status: 'revoked' })
    expect(await db.identity.findUniqueOrThrow({ where: { id: id.id } })).toMatchObject({ grantCount: 0 })
    expect((await audits(o.org.id, 'remediation.applied')).some((a) => JSON.parse(a.details).remediationId === out.remediation.id)).toBe(true)
    // a later sync keeps the decision: the revoked grant is not recreated
    await db.$transaction((tx) => syncRuleGrants(tx, rl.id))
    expect((await grantsOf(rl.id)).map((x) => x.status)).toEqual(['revoked'])
  })

  it('signals the gateway on rule add and identity disable', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const id = await addIdentity(o.org.id, o.source.id)
    expect(await signal.fires(o.org.id, () => createRule(o.ctx('admin'), r.id, rule({ principalType: 'identity', identityId: id.id })))).toBe(true)
    expect(await signal.fires(o.org.id, () => db.identity.update({ where: { id: id.id }, data: { status: 'disabled' } }))).toBe(true)
  })

  it('issues a gateway token for one identity, shown once, that the REST API refuses with a clear message', async () => {
    const id = await addIdentity(o.org.id, o.source.id)
    await expect(issueGatewayToken(o.ctx('governance'), { identityId: id.id, name: 'orders-bot', expiresInDays: 30 })).rejects.toThrow(ForbiddenError)
    const t = await issueGatewayToken(o.ctx('admin'), { identityId: id.id, name: 'orders-bot', expiresInDays: 30 })
    expect(parseToken(t.token)).not.toBeNull()
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: t.id } })
    expect(row).toMatchObject({ identityId: id.id, scopes: '["gateway:call"]' })
    expect(row.hash).not.toContain(t.token)
    const [a] = (await audits(o.org.id, 'api-token.create')).filter((x) => x.targetId === t.id)
    expect(a.details).not.toContain(t.token)
    expect(JSON.parse(a.details)).toMatchObject({ scopes: ['gateway:call'], identityId: id.id })
    await expect(authenticate(`Bearer ${t.token}`, '127.0.0.1', 'req-1')).rejects.toMatchObject({ status: 403 })
    await expect(authenticate(`Bearer ${t.token}`, '127.0.0.1', 'req-1')).rejects.toThrow(/gateway token/)
    const disabled = await addIdentity(o.org.id, o.source.id, { status: 'disabled' })
    await expect(issueGatewayToken(o.ctx('admin'), { identityId: disabled.id, name: 'x', expiresInDays: 1 })).rejects.toThrow(ConflictError)
  })

  it('raises gateway-unused-access (NHI5) for a rule unused in the window, and settles it when the identity calls the route', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const id = await addIdentity(o.org.id, o.source.id)
    const rl = await createRule(o.ctx('admin'), r.id, rule({ principalType: 'identity', identityId: id.id, methods: ['GET'] }))
    await db.grant.updateMany({ where: { entitlementId: rl.entitlementId }, data: { createdAt: new Date(Date.now() - 200 * 86_400_000) } })
    const open = async () => {
      await db.$transaction((tx) => settleFindings(tx, o.org.id, [id.id]))
      return (await db.finding.findMany({ where: { identityId: id.id, status: 'open' }, select: { rule: true, owaspCode: true } })).map(
        (f) => `${f.rule}:${f.owaspCode}`,
      )
    }
    expect(await open()).toContain('gateway-unused-access:NHI5')
    await db.gatewayCall.create({
      data: {
        orgId: o.org.id,
        identityId: id.id,
        routeId: r.id,
        at: new Date(),
        method: 'GET',
        path: '/orders/1',
        status: 200,
        latencyMs: 1,
        decision: 'allow',
      },
    })
    expect(await open()).not.toContain('gateway-unused-access:NHI5')
  })

  it('recommends revoking a gateway grant unused in the window in an entitlement review (its use from the recorded calls)', async () => {
    const org = await createOrg('Gateway review')
    const used = await createRoute(org.ctx('admin'), route())
    const idle = await createRoute(org.ctx('admin'), route())
    const name = uid('gw-reviewed-')
    // the identity is busy elsewhere (its own lastUsedAt is yesterday): that must not count as use of the idle route
    const id = await addIdentity(org.org.id, org.source.id, { name, lastUsedDaysAgo: 1 })
    for (const r of [used, idle]) await createRule(org.ctx('admin'), r.id, rule({ principalType: 'identity', identityId: id.id, methods: ['GET'] }))
    await db.grant.updateMany({ where: { identityId: id.id }, data: { createdAt: new Date(Date.now() - 200 * 86_400_000) } })
    await calledYesterday(org.org.id, id.id, used.id)
    const c = await launchReview(org, name, { type: 'entitlement', defaultDecision: 'open', justificationRule: 'revoke' })
    const items = await db.reviewItem.findMany({ where: { campaignId: c.campaign.id } })
    const grants = await db.grant.findMany({ where: { identityId: id.id }, select: { id: true, entitlement: { select: { resourceId: true } } } })
    const byRoute = (r: { resourceId: string }) => items.find((i) => grants.find((g) => g.id === i.grantId)?.entitlement.resourceId === r.resourceId)!
    expect(items).toHaveLength(2)
    expect(byRoute(used)).toMatchObject({ recommendation: 'keep' })
    expect(byRoute(idle)).toMatchObject({ recommendation: 'revoke' })
    expect(byRoute(idle).recommendationReason).toMatch(/never used/)
  })

  it('an identity review recommends reducing unused gateway access: "allowed 3, used 1": accepting or closing drops exactly the unused', async () => {
    const org = await createOrg('Gateway reduce')
    const routes = [await createRoute(org.ctx('admin'), route()), await createRoute(org.ctx('admin'), route()), await createRoute(org.ctx('admin'), route())]
    const launchFor = async (name: string) => {
      const id = await addIdentity(org.org.id, org.source.id, { name, lastUsedDaysAgo: 1 })
      for (const r of routes) await createRule(org.ctx('admin'), r.id, rule({ principalType: 'identity', identityId: id.id, methods: ['GET'] }))
      await calledYesterday(org.org.id, id.id, routes[0].id)
      const c = await launchReview(org, name, { type: 'identity', defaultDecision: 'recommendation', justificationRule: 'never' })
      const [item] = await db.reviewItem.findMany({ where: { campaignId: c.campaign.id } })
      const unused = (
        await db.grant.findMany({
          where: { identityId: id.id, entitlement: { resource: { id: { in: [routes[1].resourceId, routes[2].resourceId] } } } },
          select: { id: true },
        })
      ).map((g) => g.id)
      return { id, campaignId: c.campaign.id, item, unused }
    }
    const a = await launchFor(uid('gw-reduce-a-'))
    expect(a.item).toMatchObject({ recommendation: 'reduce' })
    expect(a.item.recommendationReason).toMatch(/^allowed 3 gateway rules, used 1 in \d+ days: reduce \(drop the 2 unused\)$/)
    expect([...(JSON.parse(a.item.snapshot).suggestedReduce as string[])].sort()).toEqual([...a.unused].sort())
    // Accepting the recommendation drops exactly the suggested grants.
    expect(await bulkDecide(org.ctx('governance'), { orgSlug: org.org.slug, ids: [a.item.id], decision: 'accept', justification: null })).toMatchObject({
      decided: 1,
      skipped: 0,
    })
    const decided = await db.reviewItem.findUniqueOrThrow({ where: { id: a.item.id } })
    expect(decided).toMatchObject({ decision: 'reduce', status: 'decided' })
    expect([...(JSON.parse(decided.reduceGrantIds!) as string[])].sort()).toEqual([...a.unused].sort())
    // Left open, the campaign's close applies the same recommendation (and ends: no item loops).
    const b = await launchFor(uid('gw-reduce-b-'))
    await requestClose(org.ctx('governance'), b.campaignId)
    await drainJobs()
    const closed = await db.reviewItem.findUniqueOrThrow({ where: { id: b.item.id } })
    expect(closed).toMatchObject({ decision: 'reduce' })
    expect([...(JSON.parse(closed.reduceGrantIds!) as string[])].sort()).toEqual([...b.unused].sort())
    expect((await db.campaign.findUniqueOrThrow({ where: { id: b.campaignId } })).status).toBe('closed')
    // The close's remediation revokes the two unused gateway grants at once (the gateway's own), the used one stays.
    const left = await db.grant.findMany({ where: { identityId: b.id.id }, select: { id: true, status: true } })
    expect(left.filter((g) => g.status === 'active')).toHaveLength(1)
    expect(left.filter((g) => b.unused.includes(g.id)).every((g) => g.status === 'revoked')).toBe(true)
  })

  it('reads calls for a route and an identity: callers, allowed versus used', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const id = await addIdentity(o.org.id, o.source.id)
    await createRule(o.ctx('admin'), r.id, rule({ principalType: 'identity', identityId: id.id, methods: ['GET', 'POST'] }))
    const now = Date.now()
    await db.gatewayCall.createMany({
      data: [
        {
          orgId: o.org.id,
          identityId: id.id,
          routeId: r.id,
          at: new Date(now - 60_000),
          method: 'GET',
          path: '/orders/1',
          status: 200,
          latencyMs: 3.2,
          decision: 'allow',
        },
        {
          orgId: o.org.id,
          identityId: id.id,
          routeId: r.id,
          at: new Date(now - 30_000),
          method: 'GET',
          path: '/orders/2',
          status: 200,
          latencyMs: 2.1,
          decision: 'allow',
        },
        {
          orgId: o.org.id,
          identityId: id.id,
          routeId: r.id,
          at: new Date(now - 10_000),
          method: 'DELETE',
          path: '/orders/2',
          status: 403,
          latencyMs: 0.4,
          decision: 'deny',
        },
      ],
    })
    const page = await getRouteOrThrow(o.ctx('auditor'), r.id)
    expect(page.callers).toEqual([expect.objectContaining({ identityId: id.id, calls: 3, denied: 1 })])
    expect(page.recentCalls[0]).toMatchObject({ method: 'DELETE', decision: 'deny' })
    const access = await identityGatewayAccess(o.ctx('member'), id.id)
    expect(access.recentCalls).toHaveLength(3)
    expect(access.routes).toEqual([expect.objectContaining({ routeId: r.id, allowed: ['GET', 'POST'], used: ['GET'], unused: ['POST'], calls: 3, denied: 1 })])
    const first = await listGatewayCalls(o.ctx('auditor'), { identityId: id.id, limit: 2 })
    expect(first.items).toHaveLength(2)
    const second = await listGatewayCalls(o.ctx('auditor'), { identityId: id.id, limit: 2, cursor: first.nextCursor! })
    expect(second.items).toHaveLength(1)
    expect(second.nextCursor).toBeNull()
    expect((await listGatewayCalls(o.ctx('auditor'), { routeId: r.id, limit: 10 })).items).toHaveLength(3)
    const other = await createOrg('Other calls')
    await expect(identityGatewayAccess(other.ctx('admin'), id.id)).rejects.toThrow(NotFoundError)
    expect((await listGatewayCalls(other.ctx('admin'), { identityId: id.id, limit: 10 })).items).toHaveLength(0)
  })

  it('counts calls from cells the database keeps in step with the calls: windows, unauthenticated callers, deletions', async () => {
    const r = await createRoute(o.ctx('admin'), route())
    const a = await addIdentity(o.org.id, o.source.id)
    const b = await addIdentity(o.org.id, o.source.id)
    const now = new Date()
    const call = (identityId: string | null, ago: number, decision = 'allow', method = 'GET') => ({
      orgId: o.org.id,
      identityId,
      routeId: r.id,
      at: new Date(now.getTime() - ago),
      method,
      path: '/orders/1',
      status: decision === 'allow' ? 200 : 403,
      latencyMs: 1,
      decision,
    })
    const H = 3_600_000
    await db.gatewayCall.createMany({
      data: [
        call(a.id, 60_000),
        call(a.id, 2 * H, 'deny', 'DELETE'),
        call(a.id, 30 * H), // yesterday or before: in the 30 days, not in the 24 hours
        call(a.id, 45 * 24 * H), // outside both windows
        call(b.id, 5 * 60_000, 'allow', 'POST'),
        call(null, 10 * 60_000, 'deny'),
      ],
    })
    // A batch like the gateway's recorder writes (one multi-row INSERT) is counted too.
    const routes = await listRoutes(o.ctx('auditor'), now)
    expect(routes.find((x) => x.id === r.id)).toMatchObject({ calls24h: 4, refused24h: 2 })
    const page = await getRouteOrThrow(o.ctx('auditor'), r.id, { now })
    expect(page.callers[0]).toMatchObject({ identityId: a.id, calls: 3, denied: 1 })
    expect(page.callers.slice(1).map((c) => [c.identityId, c.calls, c.denied])).toEqual(
      expect.arrayContaining([
        [b.id, 1, 0],
        [null, 1, 1],
      ]),
    )
    expect(page.callers).toHaveLength(3)
    expect(page.callerCount).toBe(3)
    expect(page.callers.find((c) => c.identityId === b.id)?.lastCallAt?.getTime()).toBe(now.getTime() - 5 * 60_000)
    const access = await identityGatewayAccess(o.ctx('auditor'), a.id, { now })
    expect(access.routes.find((x) => x.routeId === r.id)).toMatchObject({ used: ['GET'], calls: 3, denied: 1 })

    // Every cell equals a count over the calls it stands for.
    const cells = await db.gatewayCallDay.findMany({ where: { orgId: o.org.id, routeKey: r.id } })
    expect(cells.reduce((n, c) => n + c.calls, 0)).toBe(await db.gatewayCall.count({ where: { orgId: o.org.id, routeId: r.id } }))

    // Deleting an identity deletes its calls, and the cells follow; pruning drops emptied cells.
    await db.identity.delete({ where: { id: b.id } })
    const after = await getRouteOrThrow(o.ctx('auditor'), r.id, { now })
    expect(after.callers.map((c) => c.identityId)).toEqual([a.id, null])
    expect(await db.gatewayCallDay.count({ where: { orgId: o.org.id, identityKey: b.id, calls: { gt: 0 } } })).toBe(0)
    expect((await listRoutes(o.ctx('auditor'), now)).find((x) => x.id === r.id)).toMatchObject({ calls24h: 3, refused24h: 2 })
    await db.gatewayCall.deleteMany({ where: { orgId: o.org.id, routeId: r.id, at: { lt: new Date(now.getTime() - 40 * 24 * H) } } })
    expect(await db.gatewayCallDay.count({ where: { orgId: o.org.id, routeKey: r.id, calls: { lte: 0 } } })).toBe(2)

    // A route called by many identities lists its busiest CALLERS_SHOWN and says how many called.
    const many = await Promise.all(Array.from({ length: CALLERS_SHOWN + 1 }, () => addIdentity(o.org.id, o.source.id)))
    await db.gatewayCall.createMany({ data: many.map((x) => call(x.id, 60_000)) })
    const crowded = await getRouteOrThrow(o.ctx('auditor'), r.id, { now })
    expect([crowded.callers.length, crowded.callerCount]).toEqual([CALLERS_SHOWN, CALLERS_SHOWN + 3])
    expect(crowded.callers[0]).toMatchObject({ identityId: a.id, calls: 3 })
  })
})
