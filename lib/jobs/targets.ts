import 'server-only'
import { describeOwnershipChange } from '@/lib/audit/describe'
import type { UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { describeFilter } from '@/lib/inventory/describe'
import { identityFilterSchema } from '@/lib/inventory/schemas'
import type { JobType } from '@/lib/jobs/registry'

/** What a job acts on, for the Jobs page: words, where to look, and for remediations the identity and its state. */
export type JobTarget = {
  label: string
  /** path under the organization, e.g. /campaigns/abc */
  href: string | null
  identity?: { id: string; name: string }
  remediationStatus?: string
  simulated?: boolean
}

type JobRow = { id: string; type: string; payload: string; createdById: string | null }

// Job types are checked against the registry: a renamed type fails to compile here.
const types = (...t: JobType[]): ReadonlySet<string> => new Set(t)
const CAMPAIGN_JOBS = types('launch_campaign', 'close_campaign', 'campaign_reminders')
const SOURCE_JOBS = types('sync_source', 'import_file')
const ORG_JOBS = types('recompute_findings', 'metrics_snapshot')
const is = (j: { type: string }, t: JobType) => j.type === t

function parse(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json)
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {}
  } catch {
    return {}
  }
}
const str = (v: unknown) => (typeof v === 'string' && v ? v : null)
const strings = (...vs: unknown[]) =>
  vs.flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : []))

/**
 * Names what each job of a page acts on: the grant (entitlement on resource), the credential (kind and label), the
 * identity, the campaign, the source, the person. One query per kind of thing for the whole page, all scoped to
 * this organization: an id from elsewhere is never looked up.
 */
export async function describeJobTargets(ctx: UserCtx, jobs: JobRow[]): Promise<Map<string, JobTarget>> {
  const orgId = ctx.org.id
  const payloads = new Map(jobs.map((j) => [j.id, parse(j.payload)]))
  const p = (j: JobRow) => payloads.get(j.id)!
  const of = (pred: (j: JobRow) => boolean, key: string) => [...new Set(jobs.filter(pred).flatMap((j) => strings(p(j)[key])))]

  const leaseIds = of((j) => is(j, 'end_lease'), 'leaseId')
  const leases = leaseIds.length
    ? await db.lease.findMany({ where: { orgId, id: { in: leaseIds } }, select: { id: true, roleName: true, identity: { select: { id: true, name: true } } } })
    : []
  const leaseById = new Map(leases.map((l) => [l.id, l]))
  const remIds = of((j) => is(j, 'delete_identity'), 'remediationId')
  const rems = jobs.length
    ? await db.remediation.findMany({
        where: { orgId, OR: [{ jobId: { in: jobs.map((j) => j.id) } }, ...(remIds.length ? [{ id: { in: remIds } }] : [])] },
        select: {
          id: true,
          jobId: true,
          kind: true,
          status: true,
          simulated: true,
          grantId: true,
          credentialId: true,
          identity: { select: { id: true, name: true } },
        },
      })
    : []
  const bulk = jobs.filter((j) => is(j, 'bulk_assign'))
  const filters = new Map(bulk.map((j) => [j.id, identityFilterSchema.parse(p(j).filter ?? {})]))
  const fields = (j: JobRow) => (p(j).fields && typeof p(j).fields === 'object' ? (p(j).fields as Record<string, unknown>) : {})
  const userIds = [
    ...new Set([
      ...of((j) => is(j, 'offboard_member'), 'userId'),
      ...bulk.flatMap((j) => strings(fields(j).ownerId, fields(j).backupOwnerId, filters.get(j.id)!.owner, j.createdById)),
    ]),
  ]
  const sourceIds = [...new Set([...of((j) => SOURCE_JOBS.has(j.type), 'sourceId'), ...bulk.flatMap((j) => filters.get(j.id)!.source)])]
  const teamIds = [...new Set(bulk.flatMap((j) => strings(fields(j).teamId, filters.get(j.id)!.team)))]
  const campaignIds = of((j) => CAMPAIGN_JOBS.has(j.type), 'campaignId')
  const notificationIds = of((j) => is(j, 'send_email'), 'notificationId')
  const grantIds = [...new Set(rems.map((r) => r.grantId).filter((x): x is string => !!x))]
  const credentialIds = [...new Set(rems.map((r) => r.credentialId).filter((x): x is string => !!x))]

  const none = Promise.resolve([])
  const [grants, credentials, campaigns, sources, members, teams, notifications] = await Promise.all([
    grantIds.length
      ? db.grant.findMany({
          where: { orgId, id: { in: grantIds } },
          select: { id: true, entitlement: { select: { name: true, resource: { select: { name: true } } } } },
        })
      : none,
    credentialIds.length ? db.credential.findMany({ where: { orgId, id: { in: credentialIds } }, select: { id: true, kind: true, label: true } }) : none,
    campaignIds.length ? db.campaign.findMany({ where: { orgId, id: { in: campaignIds } }, select: { id: true, name: true } }) : none,
    sourceIds.length ? db.source.findMany({ where: { orgId, id: { in: sourceIds } }, select: { id: true, name: true } }) : none,
    userIds.length ? db.membership.findMany({ where: { orgId, userId: { in: userIds } }, select: { user: { select: { id: true, name: true } } } }) : none,
    teamIds.length ? db.team.findMany({ where: { orgId, id: { in: teamIds } }, select: { id: true, name: true } }) : none,
    notificationIds.length
      ? db.notification.findMany({ where: { orgId, id: { in: notificationIds } }, select: { id: true, user: { select: { name: true } } } })
      : none,
  ])
  const grantOf = new Map(grants.map((g) => [g.id, `${g.entitlement.name} on ${g.entitlement.resource.name}`]))
  const credentialOf = new Map(credentials.map((c) => [c.id, `${c.kind}${c.label ? ` ${c.label}` : ''}`]))
  const campaignOf = new Map(campaigns.map((c) => [c.id, c.name]))
  const sourceOf = Object.fromEntries(sources.map((s) => [s.id, s.name]))
  const userOf = Object.fromEntries(members.map((m) => [m.user.id, m.user.name]))
  const teamOf = Object.fromEntries(teams.map((t) => [t.id, t.name]))
  const emailTo = new Map(notifications.map((n) => [n.id, n.user.name]))
  const remByJob = new Map(rems.filter((r) => r.jobId).map((r) => [r.jobId!, r]))
  const remById = new Map(rems.map((r) => [r.id, r]))

  const out = new Map<string, JobTarget>()
  for (const j of jobs) {
    const payload = p(j)
    const rem = remByJob.get(j.id) ?? (is(j, 'delete_identity') ? remById.get(str(payload.remediationId) ?? '') : undefined)
    let t: JobTarget | null = null
    if (rem) {
      const what = rem.grantId
        ? (grantOf.get(rem.grantId) ?? 'a grant no longer in the inventory')
        : rem.credentialId
          ? (credentialOf.get(rem.credentialId) ?? 'a credential no longer in the inventory')
          : null
      t = {
        label: what ?? rem.identity.name,
        href: `/identities/${rem.identity.id}`,
        ...(what ? { identity: rem.identity } : {}),
        remediationStatus: rem.status,
        simulated: rem.simulated,
      }
    } else if (CAMPAIGN_JOBS.has(j.type)) {
      const id = str(payload.campaignId)
      t = { label: (id && campaignOf.get(id)) || 'a deleted campaign', href: id && campaignOf.has(id) ? `/campaigns/${id}` : null }
    } else if (SOURCE_JOBS.has(j.type)) {
      const id = str(payload.sourceId)
      const name = (id && sourceOf[id]) || 'a removed source'
      t = { label: is(j, 'import_file') && str(payload.fileName) ? `${str(payload.fileName)} into ${name}` : name, href: '/sources' }
    } else if (is(j, 'bulk_assign')) {
      const words = describeFilter(filters.get(j.id)!, {
        users: userOf,
        sources: sourceOf,
        teams: teamOf,
        me: j.createdById ? (userOf[j.createdById] ?? null) : null,
      })
      const scope = `${payload.mode === 'suggestions' ? 'unowned identities' : 'identities'} matching ${words.length ? words.join(' · ') : 'any filter'}`
      const change = payload.mode === 'suggestions' ? 'high-confidence suggestions' : describeOwnershipChange({ fields: fields(j) }, { ...userOf, ...teamOf })
      t = { label: change ? `${scope}: ${change}` : scope, href: null }
    } else if (is(j, 'offboard_member')) {
      const id = str(payload.userId)
      t = { label: `identities of ${(id && userOf[id]) || 'a former member'}`, href: '/settings' }
    } else if (is(j, 'send_email')) {
      const id = str(payload.notificationId)
      t = { label: `e-mail to ${(id && emailTo.get(id)) || 'a member'}`, href: null }
    } else if (ORG_JOBS.has(j.type)) {
      t = { label: 'every identity of the organization', href: is(j, 'recompute_findings') ? '/findings' : null }
    } else if (is(j, 'refresh_statistics')) {
      t = { label: 'the database’s query planner statistics', href: null }
    } else if (is(j, 'report_export')) {
      t = { label: 'a report written to a file for download', href: '/reports' }
    } else if (is(j, 'end_lease')) {
      const l = leaseById.get(str(payload.leaseId) ?? '')
      t = l
        ? { label: `ends the lease ${l.roleName}`, href: '/credentials', identity: { id: l.identity.id, name: l.identity.name } }
        : { label: 'ends a lease', href: '/credentials' }
    }
    if (t) out.set(j.id, t)
  }
  return out
}
