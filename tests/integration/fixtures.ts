import { randomBytes } from 'node:crypto'
import type { UserCtx } from '@/lib/auth/org-context'
import type { Role } from '@/lib/auth/permissions'
import { db } from '@/lib/db'
import { claimNextJob, runClaimedJob } from '@/lib/jobs/worker'

const DAY = 86_400_000
export const engine = process.env.TEST_ENGINE ?? 'sqlite'

export function uid(prefix = 't') {
  return `${prefix}${randomBytes(6).toString('hex')}`
}

/** A fresh organization with one person per role, so tests never share state. */
export async function createOrg(name = 'Test Org') {
  const slug = uid('org-')
  const org = await db.organization.create({ data: { slug, name } })
  const people = {} as Record<Role, { id: string; email: string; name: string }>
  for (const role of ['admin', 'governance', 'member', 'auditor'] as const) {
    const email = `${role}-${slug}@test.example`
    const user = await db.user.create({ data: { email, name: `${role} of ${slug}` } })
    await db.membership.create({ data: { orgId: org.id, userId: user.id, role } })
    people[role] = { id: user.id, email, name: user.name }
  }
  const ctx = (role: Role): UserCtx => ({
    org: { id: org.id, slug: org.slug, name: org.name },
    user: people[role],
    role,
    actor: { type: 'user', id: people[role].id, label: people[role].email },
  })
  const source = await db.source.create({ data: { orgId: org.id, name: 'AWS test', type: 'aws' } })
  return { org, people, ctx, source }
}

type IdentitySeed = Partial<{
  name: string
  kind: string
  environment: string
  status: string
  ownerId: string | null
  privileged: boolean
  lastUsedDaysAgo: number | null
  secretAgeDays: number | null
  riskScore: number
}>

export async function addIdentity(orgId: string, sourceId: string, s: IdentitySeed = {}) {
  const now = Date.now()
  const name = s.name ?? uid('svc-')
  return db.identity.create({
    data: {
      orgId,
      sourceId,
      externalId: uid('ext-'),
      name,
      searchText: name.toLowerCase(),
      kind: s.kind ?? 'service_account',
      environment: s.environment ?? 'production',
      status: s.status ?? 'active',
      createdAt: new Date(now - 400 * DAY),
      lastUsedAt: s.lastUsedDaysAgo === null ? null : new Date(now - (s.lastUsedDaysAgo ?? 1) * DAY),
      ownerId: s.ownerId ?? null,
      privileged: s.privileged ?? false,
      oldestSecretAt: s.secretAgeDays == null ? null : new Date(now - s.secretAgeDays * DAY),
      riskScore: s.riskScore ?? 10,
    },
  })
}

/** A credential and a grant (on a resource of the organization's source) for an identity. */
export async function addAccess(o: { org: { id: string }; source: { id: string } }, identityId: string, s: { privileged?: boolean; kind?: string } = {}) {
  const orgId = o.org.id
  const sourceId = o.source.id
  const resource = await db.resource.create({ data: { orgId, sourceId, externalId: uid('res-'), name: uid('res-'), type: 'database' } })
  const entitlement = await db.entitlement.create({
    data: { orgId, sourceId, resourceId: resource.id, externalId: uid('ent-'), name: s.privileged ? 'admin' : 'read', privileged: !!s.privileged },
  })
  const grant = await db.grant.create({ data: { orgId, identityId, entitlementId: entitlement.id, privileged: !!s.privileged, createdAt: new Date() } })
  const credential = await db.credential.create({
    data: { orgId, identityId, kind: s.kind ?? 'token', externalId: uid('cred-'), fingerprint: uid('fp-'), createdAt: new Date() },
  })
  return { credentialId: credential.id, grantId: grant.id, resourceId: resource.id }
}

/**
 * Runs every due job, like drainJobs, and answers how many claims started with one of `jobIds`: how many runs these
 * jobs took (a batching job type runs several in one claim). Other test files, running at the same time, queue jobs
 * of their own, so drainJobs' total is not these jobs' count.
 */
export async function claimsOf(jobIds: Iterable<string>, workerId = `claims-${randomBytes(4).toString('hex')}`): Promise<number> {
  const ours = new Set(jobIds)
  let claims = 0
  for (let job = await claimNextJob(workerId); job; job = await claimNextJob(workerId)) {
    if (ours.has(job.id)) claims++
    await runClaimedJob(job, workerId)
  }
  return claims
}
