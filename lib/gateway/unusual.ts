import 'server-only'
import { isIPv4, isIPv6 } from 'node:net'
import type { Ctx } from '@/lib/auth/org-context'
import { recordAudit } from '@/lib/audit/record'
import { db, type Tx } from '@/lib/db'
import { settleFindings } from '@/lib/findings/recompute'
import { GATEWAY_UNUSUAL_RULE, SEVERITY_RANK } from '@/lib/findings/rules'
import { notify } from '@/lib/notifications/notify'

// Unusual use (issue 15, part 8). Each identity's way of calling through the gateway is learned hour by hour into
// GatewayBaseline rows — the routes and methods it used, the networks it called from, the UTC hours it was active, its
// busiest hour — from aggregates of its recorded calls (never the calls one by one: a busy gateway records millions an
// hour). Once a baseline is old and large enough, an hour with a call outside it raises the identity's "unusual gateway
// use" finding, saying what was unusual, and notifies its owner; the hour is then learned like any other (the finding
// stays open until a person looks at it, or 7 quiet days pass).

export const UNUSUAL_RULE = GATEWAY_UNUSUAL_RULE
/** A baseline judges only when it has seen at least this many allowed calls … */
export const MATURE_CALLS = 50
/** … over at least this many days. */
export const MATURE_DAYS = 3
/** An hour is unusually busy above max(RATE_FACTOR × the busiest hour seen, busiest + RATE_SLACK). */
export const RATE_FACTOR = 5
export const RATE_SLACK = 100
/** An unusual-use finding with no new unusual hour for this long is resolved. */
export const QUIET_DAYS = 7
const DAY = 86_400_000
const HOUR = 3_600_000

/** The network a source address belongs to, as baselines keep it: IPv4 /24, IPv6 /48; null when there is none. */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null
  const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`
  if (isIPv6(ip)) {
    // Expand "::" so the first three groups are the /48 prefix.
    const [head, tail = ''] = ip.split('::')
    const h = head ? head.split(':') : []
    const t = tail ? tail.split(':') : []
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
    return `${groups
      .slice(0, 3)
      .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
      .join(':')}::/48`
  }
  return null
}

export type HourCalls = {
  routes: { key: string; label: string; count: number }[]
  networks: { key: string; count: number }[]
  hour: number
  total: number
}
export type Baseline = { kind: string; key: string; count: number; firstSeenAt: Date }
export type Unusual = { kind: 'route' | 'network' | 'hour' | 'rate'; detail: string }

/** What in one hour of an identity's calls falls outside its baseline; nothing while the baseline is too young or small. */
export function findUnusual(baseline: readonly Baseline[], calls: HourCalls, windowStart: Date): Unusual[] {
  const routes = baseline.filter((b) => b.kind === 'route')
  const seen = routes.reduce((a, b) => a + b.count, 0)
  const since = Math.min(...routes.map((b) => b.firstSeenAt.getTime()))
  if (seen < MATURE_CALLS || !(since <= windowStart.getTime() - MATURE_DAYS * DAY)) return []
  const has = (kind: string, key: string) => baseline.some((b) => b.kind === kind && b.key === key)
  const out: Unusual[] = []
  for (const r of calls.routes)
    if (!has('route', r.key)) out.push({ kind: 'route', detail: `${r.count} call${r.count === 1 ? '' : 's'} to ${r.label}, never used before` })
  for (const n of calls.networks)
    if (!has('network', n.key))
      out.push({ kind: 'network', detail: `${n.count} call${n.count === 1 ? '' : 's'} from ${n.key}, a network it never called from` })
  if (!has('hour', String(calls.hour))) {
    const hours = baseline
      .filter((b) => b.kind === 'hour')
      .map((b) => Number(b.key))
      .sort((a, b) => a - b)
    out.push({
      kind: 'hour',
      detail: `calls at ${String(calls.hour).padStart(2, '0')}:00 UTC; it calls at ${hours.map((h) => `${String(h).padStart(2, '0')}h`).join(', ')}`,
    })
  }
  const busiest = baseline.find((b) => b.kind === 'busiest')?.count ?? 0
  if (calls.total > Math.max(RATE_FACTOR * busiest, busiest + RATE_SLACK))
    out.push({ kind: 'rate', detail: `${calls.total} calls in one hour; its busiest hour before had ${busiest}` })
  return out
}

/**
 * Learns one hour [from, from + 1 h) of the organization's allowed gateway calls into the baselines, raising the
 * unusual-use finding first for identities whose hour falls outside theirs. Returns what it found.
 */
export async function learnHour(ctx: Ctx, from: Date): Promise<{ identities: number; unusual: { identityId: string; unusual: Unusual[] }[] }> {
  const orgId = ctx.org.id
  const to = new Date(from.getTime() + HOUR)
  const where = { orgId, at: { gte: from, lt: to }, decision: 'allow', identityId: { not: null } }
  // Three aggregates through the (orgId, at) index; the rows are per identity and route, or per identity and address.
  const [byRoute, byIp] = await Promise.all([
    db.gatewayCall.groupBy({ by: ['identityId', 'routeId', 'method'], where, _count: { _all: true }, _min: { at: true } }),
    db.gatewayCall.groupBy({ by: ['identityId', 'sourceIp'], where, _count: { _all: true } }),
  ])
  const routeNames = new Map(
    (await db.gatewayRoute.findMany({ where: { orgId }, select: { id: true, name: true, pathPrefix: true } })).map((r) => [
      r.id,
      `${r.name} (${r.pathPrefix})`,
    ]),
  )
  const hours = new Map<string, HourCalls & { first: Date }>()
  const of = (id: string) => {
    let h = hours.get(id)
    if (!h) hours.set(id, (h = { routes: [], networks: [], hour: from.getUTCHours(), total: 0, first: to }))
    return h
  }
  for (const r of byRoute) {
    if (!r.identityId || !r.routeId) continue
    const h = of(r.identityId)
    h.routes.push({ key: `${r.routeId} ${r.method}`, label: `${r.method} ${routeNames.get(r.routeId) ?? r.routeId}`, count: r._count._all })
    h.total += r._count._all
    if (r._min.at && r._min.at < h.first) h.first = r._min.at
  }
  for (const r of byIp) {
    if (!r.identityId) continue
    const net = networkOf(r.sourceIp)
    if (!net) continue
    const h = of(r.identityId)
    const n = h.networks.find((x) => x.key === net)
    if (n) n.count += r._count._all
    else h.networks.push({ key: net, count: r._count._all })
  }
  const found: { identityId: string; unusual: Unusual[] }[] = []
  for (const [identityId, h] of hours) {
    const unusual = await db.$transaction(async (tx) => {
      const baseline = await tx.gatewayBaseline.findMany({ where: { identityId, orgId }, select: { kind: true, key: true, count: true, firstSeenAt: true } })
      const unusual = findUnusual(baseline, h, from)
      const learn = [
        ...h.routes.map((r) => ({ kind: 'route', key: r.key, count: r.count })),
        ...h.networks.map((n) => ({ kind: 'network', key: n.key, count: n.count })),
        { kind: 'hour', key: String(h.hour), count: h.total },
      ]
      for (const l of learn)
        await tx.gatewayBaseline.upsert({
          where: { identityId_kind_key: { identityId, kind: l.kind, key: l.key } },
          create: { orgId, identityId, kind: l.kind, key: l.key, count: l.count, firstSeenAt: h.first, lastSeenAt: to },
          update: { count: { increment: l.count }, lastSeenAt: to },
        })
      const busiest = baseline.find((b) => b.kind === 'busiest')
      if (!busiest)
        await tx.gatewayBaseline.create({ data: { orgId, identityId, kind: 'busiest', key: 'hour', count: h.total, firstSeenAt: h.first, lastSeenAt: to } })
      else if (h.total > busiest.count)
        await tx.gatewayBaseline.update({
          where: { identityId_kind_key: { identityId, kind: 'busiest', key: 'hour' } },
          data: { count: h.total, lastSeenAt: to },
        })
      if (unusual.length) await raise(tx, ctx, identityId, unusual, from)
      return unusual
    })
    if (unusual.length) found.push({ identityId, unusual })
  }
  return { identities: hours.size, unusual: found }
}

async function raise(tx: Tx, ctx: Ctx, identityId: string, unusual: Unusual[], from: Date) {
  const identity = await tx.identity.findFirst({ where: { id: identityId, orgId: ctx.org.id }, select: { id: true, name: true, ownerId: true } })
  if (!identity) return
  const severity = unusual.some((u) => u.kind === 'route' || u.kind === 'network') ? 'high' : 'medium'
  const when = `${from.toISOString().slice(0, 13).replace('T', ' ')}:00 UTC`
  const detail = `In the hour from ${when}: ${unusual.map((u) => u.detail).join('; ')}.`.slice(0, 2000)
  const now = new Date()
  const existing = await tx.finding.findUnique({
    where: { identityId_rule: { identityId, rule: UNUSUAL_RULE } },
    select: { status: true, acceptedUntil: true },
  })
  // An accepted risk stays accepted until its date; anything else (re)opens.
  const keepAccepted = existing?.status === 'accepted' && existing.acceptedUntil && existing.acceptedUntil > now
  await tx.finding.upsert({
    where: { identityId_rule: { identityId, rule: UNUSUAL_RULE } },
    create: {
      orgId: ctx.org.id,
      identityId,
      rule: UNUSUAL_RULE,
      owaspCode: 'NHI2',
      severity,
      severityRank: SEVERITY_RANK[severity],
      title: 'Unusual gateway use',
      detail,
      firstSeenAt: now,
      lastSeenAt: now,
    },
    update: { severity, severityRank: SEVERITY_RANK[severity], detail, lastSeenAt: now, ...(keepAccepted ? {} : { status: 'open', resolvedAt: null }) },
  })
  // The identity's risk score and counts take the finding in at once.
  await settleFindings(tx, ctx.org.id, [identityId])
  await recordAudit(tx, ctx, {
    action: 'gateway.unusual-use',
    targetType: 'identity',
    targetId: identityId,
    targetLabel: identity.name,
    details: { hour: from.toISOString(), unusual },
  })
  if (identity.ownerId)
    await notify(tx, [
      {
        orgId: ctx.org.id,
        userId: identity.ownerId,
        kind: 'gateway.unusual-use',
        title: `Unusual gateway use by ${identity.name}`,
        body: `${detail} If this was not expected, revoke its gateway token and review its access.`,
        link: `/${ctx.org.slug}/identities/${identityId}`,
      },
    ])
}

/** Unusual-use findings with no unusual hour for QUIET_DAYS are resolved (the engine's rules do not own this one). */
export async function resolveQuietUnusual(ctx: Ctx, now = new Date()) {
  const stale = await db.finding.findMany({
    where: { orgId: ctx.org.id, rule: UNUSUAL_RULE, status: 'open', lastSeenAt: { lt: new Date(now.getTime() - QUIET_DAYS * DAY) } },
    select: { id: true, identityId: true, identity: { select: { name: true } } },
    take: 1000,
  })
  if (!stale.length) return 0
  await db.$transaction(async (tx) => {
    await tx.finding.updateMany({ where: { orgId: ctx.org.id, id: { in: stale.map((s) => s.id) } }, data: { status: 'resolved', resolvedAt: now } })
    // Each resolution is a change of the finding's state: audited per identity, in the same transaction.
    for (const f of stale)
      await recordAudit(tx, ctx, {
        action: 'gateway.unusual-use-resolved',
        targetType: 'identity',
        targetId: f.identityId,
        targetLabel: f.identity.name,
        details: { findingId: f.id, quietDays: QUIET_DAYS },
      })
    await settleFindings(
      tx,
      ctx.org.id,
      stale.map((s) => s.identityId),
    )
  })
  return stale.length
}
