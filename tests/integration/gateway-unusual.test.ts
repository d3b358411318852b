import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { createRoute } from '@/lib/gateway/mutations'
import { routeBodySchema } from '@/lib/gateway/schemas'
import { learnGatewayUseJob } from '@/lib/gateway/jobs'
import { learnHour, networkOf, resolveQuietUnusual, UNUSUAL_RULE } from '@/lib/gateway/unusual'
import { enqueueJobNow } from '@/lib/jobs/queue'
import { drainJobs } from '@/lib/jobs/worker'
import { addIdentity, createOrg, engine, uid } from './fixtures'

type Org = Awaited<ReturnType<typeof createOrg>>
const HOUR = 3_600_000
const DAY = 24 * HOUR

/** The recorder's rows for one hour of calls: `n` allowed calls spread over the hour. */
function callsOf(o: { orgId: string; identityId: string; routeId: string }, hourStart: number, n: number, over: { method?: string; ip?: string } = {}) {
  return Array.from({ length: n }, (_, i) => ({
    orgId: o.orgId,
    identityId: o.identityId,
    routeId: o.routeId,
    at: new Date(hourStart + Math.floor((i * HOUR) / Math.max(n, 1))),
    method: over.method ?? 'GET',
    path: `/orders/${i}`,
    status: 200,
    latencyMs: 3,
    decision: 'allow',
    sourceIp: over.ip ?? `10.0.1.${(i % 20) + 10}`,
  }))
}

const finding = (identityId: string) => db.finding.findUnique({ where: { identityId_rule: { identityId, rule: UNUSUAL_RULE } } })

describe(`unusual gateway use (${engine})`, () => {
  let a: Org
  let b: Org
  let routeId: string
  let otherRouteId: string
  let bot: { id: string; name: string }
  // A fixed past day at 00:00 UTC, so the pattern's hours are known.
  const day0 = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY
  // The hourly job's context: the system, not a person.
  const system = () => systemContext(a.org, { type: 'learn_gateway_use', id: null })

  beforeAll(async () => {
    a = await createOrg('Unusual A')
    b = await createOrg('Unusual B')
    routeId = (
      await createRoute(a.ctx('admin'), routeBodySchema.parse({ name: 'Orders', pathPrefix: `/${uid('orders-')}`, upstreamUrl: 'https://orders.example' }))
    ).id
    otherRouteId = (
      await createRoute(a.ctx('admin'), routeBodySchema.parse({ name: 'Admin', pathPrefix: `/${uid('admin-')}`, upstreamUrl: 'https://admin.example' }))
    ).id
    bot = await addIdentity(a.org.id, a.source.id, { name: uid('orders-bot-'), kind: 'workload', ownerId: a.people.member.id })
    // The normal pattern, replayed: ten working days, GET on Orders, 09:00-16:00 UTC, about 30 calls an hour from 10.0.1.0/24.
    const rows = []
    for (let d = 0; d < 10; d++)
      for (let h = 9; h < 17; h++) rows.push(...callsOf({ orgId: a.org.id, identityId: bot.id, routeId }, day0 + d * DAY + h * HOUR, 30))
    await db.gatewayCall.createMany({ data: rows })
    for (let d = 0; d < 10; d++) for (let h = 9; h < 17; h++) await learnHour(system(), new Date(day0 + d * DAY + h * HOUR))
  })

  it('learns the baseline from aggregates: routes and methods, networks, hours, the busiest hour', async () => {
    const rows = await db.gatewayBaseline.findMany({ where: { identityId: bot.id }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] })
    expect(rows.filter((r) => r.kind === 'route').map((r) => [r.key, r.count])).toEqual([[`${routeId} GET`, 2400]])
    expect(rows.filter((r) => r.kind === 'network').map((r) => r.key)).toEqual(['10.0.1.0/24'])
    expect(
      rows
        .filter((r) => r.kind === 'hour')
        .map((r) => Number(r.key))
        .sort((x, y) => x - y),
    ).toEqual([9, 10, 11, 12, 13, 14, 15, 16])
    expect(rows.find((r) => r.kind === 'busiest')?.count).toBe(30)
    // Ten days of the usual hours raised nothing (the baseline was young for the first three days, then all was usual).
    expect(await finding(bot.id)).toBeNull()
  })

  it('a normal hour raises nothing; an injected outlier raises a finding saying what was unusual, and tells the owner', async () => {
    const normal = day0 + 11 * DAY + 10 * HOUR
    await db.gatewayCall.createMany({ data: callsOf({ orgId: a.org.id, identityId: bot.id, routeId }, normal, 25) })
    expect((await learnHour(system(), new Date(normal))).unusual).toEqual([])
    expect(await finding(bot.id)).toBeNull()

    // The outlier: 03:00 UTC, from another network, a POST to a route it never used, and far more calls than ever.
    const odd = day0 + 12 * DAY + 3 * HOUR
    await db.gatewayCall.createMany({
      data: [
        ...callsOf({ orgId: a.org.id, identityId: bot.id, routeId }, odd, 400, { ip: '203.0.113.7' }),
        ...callsOf({ orgId: a.org.id, identityId: bot.id, routeId: otherRouteId }, odd, 3, { method: 'POST', ip: '203.0.113.7' }),
      ],
    })
    const r = await learnHour(system(), new Date(odd))
    expect(r.unusual).toHaveLength(1)
    expect(r.unusual[0].unusual.map((u) => u.kind).sort()).toEqual(['hour', 'network', 'rate', 'route'])
    const f = await finding(bot.id)
    expect(f).toMatchObject({ status: 'open', severity: 'high', owaspCode: 'NHI2', title: 'Unusual gateway use' })
    expect(f!.detail).toContain('203.0.113.0/24')
    expect(f!.detail).toContain('POST Admin')
    expect(f!.detail).toContain('03:00 UTC')
    expect(f!.detail).toContain('403 calls in one hour')
    expect((await db.identity.findUniqueOrThrow({ where: { id: bot.id } })).riskScore).toBeGreaterThan(0)
    expect(await db.notification.count({ where: { userId: a.people.member.id, kind: 'gateway.unusual-use' } })).toBe(1)
    const audit = await db.auditEvent.findFirst({ where: { orgId: a.org.id, action: 'gateway.unusual-use', targetId: bot.id } })
    expect(audit).toMatchObject({ actorType: 'system' })
    // Another organization's baselines and findings are untouched.
    expect(await db.gatewayBaseline.count({ where: { orgId: b.org.id } })).toBe(0)
    expect(await db.finding.count({ where: { orgId: b.org.id, rule: UNUSUAL_RULE } })).toBe(0)

    // Seven quiet days later the finding resolves on its own.
    expect(await resolveQuietUnusual(system(), new Date(Date.now() + 8 * DAY))).toBe(1)
    expect((await finding(bot.id))!.status).toBe('resolved')
    expect(await db.auditEvent.count({ where: { action: 'gateway.unusual-use-resolved', targetId: bot.id } })).toBe(1)
  })

  it('runs as an hourly job keyed by organization and hour', async () => {
    const hour = new Date(day0 + 13 * DAY + 9 * HOUR)
    await db.gatewayCall.createMany({ data: callsOf({ orgId: a.org.id, identityId: bot.id, routeId }, hour.getTime(), 10) })
    await enqueueJobNow(learnGatewayUseJob, { hour: hour.toISOString().slice(0, 13) }, { orgId: a.org.id })
    await drainJobs()
    const job = await db.job.findFirstOrThrow({ where: { orgId: a.org.id, type: 'learn_gateway_use' } })
    expect(job.status).toBe('succeeded')
    expect(JSON.parse(job.result ?? '{}')).toMatchObject({ identities: 1, unusual: 0 })
  })

  it('keeps networks as IPv4 /24 and IPv6 /48', () => {
    expect(networkOf('10.0.1.7')).toBe('10.0.1.0/24')
    expect(networkOf('::ffff:192.0.2.9')).toBe('192.0.2.0/24')
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48')
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0::/48')
    expect(networkOf(null)).toBeNull()
    expect(networkOf('not an address')).toBeNull()
  })
})
