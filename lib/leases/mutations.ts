import 'server-only'
import { randomBytes } from 'node:crypto'
import { recordAudit } from '@/lib/audit/record'
import { allows, assertCan, type Ctx } from '@/lib/auth/org-context'
import { generatePassword } from '@/lib/connectors/postgresql/scram'
import { db, type Tx } from '@/lib/db'
import { secretFromEnv } from '@/lib/env'
import { ConflictError, ForbiddenError, NotFoundError, UpstreamError, ValidationError } from '@/lib/errors'
import { ConnectorError } from '@/lib/connectors/postgresql/connector'
import { enqueueJob } from '@/lib/jobs/queue'
import { endLeaseJob } from '@/lib/leases/jobs'
import { mirrorLeaseEnded, mirrorLeaseIssued, mirrorLeaseRenewed } from '@/lib/leases/inventory'
import { principalOf, principalReaches } from '@/lib/principals/resolve'
import {
  describeGrant,
  effectiveTtl,
  grantSchema,
  LEASE_END_ATTEMPTS,
  LEASE_ROLE_COMMENT_PREFIX,
  roleNameFor,
  type CreateTemplateInput,
  type RequestLeaseInput,
  type TemplateGrant,
} from '@/lib/leases/schemas'
import { createLeaseRole, dropLeaseRoleQuietly, endLeaseRole, setLeaseValidUntil, type EndStep } from '@/lib/leases/target'

// Credential templates and leases: each change in one transaction with its audit row, scoped to the organization. The
// generated password is returned to the caller once and goes nowhere else (not the database, a log, a job or an audit row).

const SOURCE_SELECT = { id: true, name: true, type: true, config: true, secretRef: true } as const

export function templateGrants(json: string): TemplateGrant[] {
  const raw: unknown = JSON.parse(json)
  return Array.isArray(raw) ? raw.map((g) => grantSchema.parse(g)) : []
}

export async function createTemplate(ctx: Ctx, input: Omit<CreateTemplateInput, 'orgSlug'>) {
  assertCan(ctx, 'lease:manage')
  const source = await db.source.findFirst({ where: { id: input.sourceId, orgId: ctx.org.id }, select: { id: true, name: true, type: true, secretRef: true } })
  if (!source) throw new NotFoundError('Source not found')
  if (source.type !== 'postgresql' || !source.secretRef)
    throw new ValidationError('Credential templates need a live PostgreSQL source.', {
      sourceId: ['Choose a PostgreSQL source with a connection (secretRef): Custodian creates the roles there.'],
    })
  try {
    return await db.$transaction(async (tx) => {
      const principal = await principalOf(tx, ctx.org.id, input)
      const row = await tx.credentialTemplate.create({
        data: {
          orgId: ctx.org.id,
          sourceId: source.id,
          name: input.name,
          description: input.description || null,
          grants: JSON.stringify(input.grants),
          defaultTtlSeconds: input.defaultTtlSeconds,
          maxTtlSeconds: input.maxTtlSeconds,
          principalType: input.principalType,
          ...principal.data,
          createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
        },
      })
      await recordAudit(tx, ctx, {
        action: 'credential-template.create',
        targetType: 'credential-template',
        targetId: row.id,
        targetLabel: row.name,
        details: {
          source: source.name,
          grants: input.grants.map(describeGrant),
          defaultTtlSeconds: row.defaultTtlSeconds,
          maxTtlSeconds: row.maxTtlSeconds,
          usableBy: principal.label,
        },
      })
      return row
    })
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new ConflictError('A credential template with this name already exists.')
    throw err
  }
}

export async function setTemplateStatus(ctx: Ctx, templateId: string, status: 'active' | 'disabled') {
  assertCan(ctx, 'lease:manage')
  return db.$transaction(async (tx) => {
    const t = await tx.credentialTemplate.findFirst({ where: { id: templateId, orgId: ctx.org.id }, select: { id: true, name: true, status: true } })
    if (!t) throw new NotFoundError('Credential template not found')
    if (t.status === status) return t
    await tx.credentialTemplate.update({ where: { id: t.id, orgId: ctx.org.id }, data: { status } })
    await recordAudit(tx, ctx, {
      action: status === 'disabled' ? 'credential-template.disable' : 'credential-template.enable',
      targetType: 'credential-template',
      targetId: t.id,
      targetLabel: t.name,
    })
    return { ...t, status }
  })
}

/**
 * Who may ask for a credential for which identity: a workload only for itself; a person for an identity they own (or
 * back up), an admin for any (break-glass, with a justification); an API token for any identity of its organization.
 */
async function identityFor(ctx: Ctx, identityId: string | undefined) {
  const id = ctx.actor.type === 'workload' ? ctx.actor.id : identityId
  if (ctx.actor.type === 'workload' && identityId && identityId !== ctx.actor.id)
    throw new ForbiddenError('A workload may only ask for credentials for itself.')
  if (!id) throw new ValidationError('Name the identity.', { identityId: ['Name the identity the credential is for.'] })
  const identity = await db.identity.findFirst({
    where: { id, orgId: ctx.org.id },
    select: { id: true, name: true, status: true, ownerId: true, backupOwnerId: true, teamId: true },
  })
  if (!identity) throw new NotFoundError('Identity not found')
  if ('role' in ctx && ctx.role !== 'admin' && identity.ownerId !== ctx.user.id && identity.backupOwnerId !== ctx.user.id)
    throw new ForbiddenError('Only the identity’s owner (or an admin) may ask for a break-glass credential.')
  if (identity.status !== 'active')
    throw new ValidationError(`The identity is ${identity.status}: it gets no new credentials.`, { identityId: ['Not active.'] })
  return identity
}

export type IssuedLease = {
  leaseId: string
  username: string
  /** shown once, never stored */
  password: string
  host: string | null
  database: string | null
  issuedAt: Date
  expiresAt: Date
  maxExpiresAt: Date
  ttlSeconds: number
  requestedTtlSeconds: number | null
}

/** What the source answered, as a 502 a person can act on (a PostgreSQL error names objects, never the password). */
async function upstream<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (err) {
    const e = err as Error & { detail?: string }
    throw new UpstreamError(`The PostgreSQL source could not ${what}: ${[e.message, e.detail].filter(Boolean).join(': ')}`.slice(0, 1000))
  }
}

function targetOf(secretRefValue: string | undefined) {
  try {
    const u = new URL(secretRefValue ?? '')
    return { host: `${u.hostname}:${u.port || 5432}`, database: u.pathname.slice(1) || null }
  } catch {
    return { host: null, database: null }
  }
}

/** Issues an ephemeral PostgreSQL role: created on the source first, then the lease and its audit row in one transaction. */
export async function requestLease(ctx: Ctx, input: Omit<RequestLeaseInput, 'orgSlug'>, opts: { now?: Date } = {}): Promise<IssuedLease> {
  assertCan(ctx, 'lease:request')
  if ('role' in ctx && !input.justification?.trim())
    throw new ValidationError('Say why: a credential asked for by a person is break-glass access.', { justification: ['Give a justification.'] })
  const template = await db.credentialTemplate.findFirst({
    where: { id: input.templateId, orgId: ctx.org.id },
    include: { source: { select: SOURCE_SELECT } },
  })
  if (!template) throw new NotFoundError('Credential template not found')
  if (template.status !== 'active') throw new ValidationError('This credential template is disabled.', { templateId: ['Disabled.'] })
  const identity = await identityFor(ctx, input.identityId)
  if (!(await principalReaches(db, ctx.org.id, template, identity)))
    throw new ForbiddenError(
      template.principalType
        ? `The template “${template.name}” is not for ${identity.name}: it names who may use it, and this identity is not among them.`
        : `The template “${template.name}” names no one who may use it (it was made before templates did): an admin must make a new one.`,
    )
  const grants = templateGrants(template.grants)
  const ttlSeconds = effectiveTtl(input.ttlSeconds, template)
  const issuedAt = opts.now ?? new Date()
  const expiresAt = new Date(issuedAt.getTime() + ttlSeconds * 1000)
  const maxExpiresAt = new Date(issuedAt.getTime() + template.maxTtlSeconds * 1000)
  const leaseId = `lease_${randomBytes(10).toString('hex')}`
  const roleName = roleNameFor(identity.name, randomBytes(5).toString('hex'))
  const password = generatePassword()
  const task = ctx.actor.type === 'workload' ? (input.task ?? ('task' in ctx && typeof ctx.task === 'string' ? ctx.task : null)) : (input.task ?? null)
  await upstream(
    'create the role',
    createLeaseRole(template.source, {
      roleName,
      password,
      validUntil: expiresAt,
      grants,
      comment: `${LEASE_ROLE_COMMENT_PREFIX}${leaseId} for identity ${identity.name} (${identity.id}) in ${ctx.org.slug}; template ${template.name}`,
    }),
  )
  try {
    await db.$transaction(async (tx) => {
      await tx.lease.create({
        data: {
          id: leaseId,
          orgId: ctx.org.id,
          templateId: template.id,
          identityId: identity.id,
          roleName,
          requestedByType: ctx.actor.type,
          requestedById: ctx.actor.id,
          requestedByLabel: ctx.actor.label,
          task,
          justification: input.justification?.trim() || null,
          issuedAt,
          expiresAt,
          maxExpiresAt,
        },
      })
      await mirrorLeaseIssued(tx, { id: leaseId, orgId: ctx.org.id, identityId: identity.id, roleName, templateName: template.name, issuedAt, expiresAt })
      await recordAudit(tx, ctx, {
        action: 'lease.issue',
        targetType: 'lease',
        targetId: leaseId,
        targetLabel: `${roleName} for ${identity.name}`,
        justification: input.justification?.trim() || null,
        details: {
          identity: { id: identity.id, name: identity.name },
          template: { id: template.id, name: template.name },
          source: template.source.name,
          role: roleName,
          task,
          ttlSeconds,
          requestedTtlSeconds: input.ttlSeconds ?? null,
          expiresAt: expiresAt.toISOString(),
        },
      })
    })
  } catch (err) {
    await dropLeaseRoleQuietly(template.source, roleName)
    throw err
  }
  return {
    leaseId,
    username: roleName,
    password,
    ...targetOf(secretFromEnv(template.source.secretRef)),
    issuedAt,
    expiresAt,
    maxExpiresAt,
    ttlSeconds,
    requestedTtlSeconds: input.ttlSeconds ?? null,
  }
}

async function leaseOrThrow(ctx: Ctx, leaseId: string, tx: Tx | typeof db = db) {
  const lease = await tx.lease.findFirst({
    where: { id: leaseId, orgId: ctx.org.id },
    include: {
      template: { include: { source: { select: SOURCE_SELECT } } },
      identity: { select: { id: true, name: true, ownerId: true, backupOwnerId: true } },
    },
  })
  if (!lease) throw new NotFoundError('Lease not found')
  return lease
}

/** Renewing and revoking: the lease's own identity (a workload), its owner, its requester, or whoever manages leases. */
function assertMayHandle(ctx: Ctx, lease: Awaited<ReturnType<typeof leaseOrThrow>>) {
  if (allows(ctx, 'lease:manage')) return
  assertCan(ctx, 'lease:request')
  const mine =
    ctx.actor.type === 'workload'
      ? lease.identityId === ctx.actor.id
      : ctx.actor.type === 'user'
        ? lease.identity.ownerId === ctx.actor.id || lease.identity.backupOwnerId === ctx.actor.id || lease.requestedById === ctx.actor.id
        : ctx.actor.type === 'api_token'
  if (!mine)
    throw new ForbiddenError(
      ctx.actor.type === 'workload'
        ? 'This lease belongs to another identity.'
        : 'Only the identity’s owner, the lease’s requester or a lease manager may renew or revoke it.',
    )
}

/** Extends a lease by its TTL from now, never past the template's maximum from issue. Returns the new end. */
export async function renewLease(ctx: Ctx, leaseId: string, ttlSeconds?: number, opts: { now?: Date } = {}) {
  const now = opts.now ?? new Date()
  const lease = await leaseOrThrow(ctx, leaseId)
  assertMayHandle(ctx, lease)
  if (lease.status !== 'active' || lease.expiresAt <= now)
    throw new ConflictError(`This lease has ended (${lease.status === 'active' ? 'expired' : lease.status}).`)
  const wanted = new Date(now.getTime() + effectiveTtl(ttlSeconds, lease.template) * 1000)
  const expiresAt = wanted > lease.maxExpiresAt ? lease.maxExpiresAt : wanted
  if (expiresAt <= lease.expiresAt)
    throw new ConflictError(
      lease.expiresAt >= lease.maxExpiresAt
        ? 'This lease is already at its maximum lifetime: ask for a new credential.'
        : `This lease already runs until ${lease.expiresAt.toISOString()}: renewing for that long would not extend it.`,
    )
  await upstream('extend the role', setLeaseValidUntil(lease.template.source, lease.roleName, expiresAt))
  await db.$transaction(async (tx) => {
    // Only an active, unexpired lease moves: a revocation or expiry that got there first wins.
    const { count } = await tx.lease.updateMany({
      where: { id: lease.id, orgId: ctx.org.id, status: 'active', expiresAt: { gt: now } },
      data: { expiresAt, renewedAt: now, renewals: { increment: 1 } },
    })
    if (!count) throw new ConflictError('This lease has ended.')
    await mirrorLeaseRenewed(tx, ctx.org.id, lease.id, expiresAt)
    await recordAudit(tx, ctx, {
      action: 'lease.renew',
      targetType: 'lease',
      targetId: lease.id,
      targetLabel: `${lease.roleName} for ${lease.identity.name}`,
      details: { from: lease.expiresAt.toISOString(), to: expiresAt.toISOString(), cappedAtMaximum: expiresAt.getTime() === lease.maxExpiresAt.getTime() },
    })
  })
  return { leaseId: lease.id, expiresAt, maxExpiresAt: lease.maxExpiresAt, ttlSeconds: Math.round((expiresAt.getTime() - now.getTime()) / 1000) }
}

/** Asks for an early end: the lease moves to revoking and the end_lease job (queued in the same transaction) drops the role. */
export async function revokeLease(ctx: Ctx, leaseId: string) {
  const lease = await leaseOrThrow(ctx, leaseId)
  assertMayHandle(ctx, lease)
  if (lease.status !== 'active') return { leaseId: lease.id, status: lease.status }
  return db.$transaction(async (tx) => {
    const { count } = await tx.lease.updateMany({
      where: { id: lease.id, orgId: ctx.org.id, status: 'active' },
      data: { status: 'revoking', endReason: 'revoked', revokeRequestedAt: new Date(), revokedByLabel: ctx.actor.label },
    })
    if (!count) return { leaseId: lease.id, status: (await tx.lease.findFirstOrThrow({ where: { id: lease.id, orgId: ctx.org.id } })).status }
    await recordAudit(tx, ctx, {
      action: 'lease.revoke-request',
      targetType: 'lease',
      targetId: lease.id,
      targetLabel: `${lease.roleName} for ${lease.identity.name}`,
    })
    await enqueueJob(
      tx,
      endLeaseJob,
      { leaseId: lease.id, generation: lease.endGeneration },
      { orgId: ctx.org.id, createdById: ctx.actor.type === 'user' ? ctx.actor.id : null },
    )
    return { leaseId: lease.id, status: 'revoking' as const }
  })
}

/** A lease of an identity that is no longer active: revoked now by the system (lease-expiry scheduler), audited as it. */
export async function revokeLeaseOfInactiveIdentity(ctx: Ctx, leaseId: string) {
  return db.$transaction(async (tx) => {
    const lease = await tx.lease.findFirst({
      where: { id: leaseId, orgId: ctx.org.id, status: 'active', identity: { status: { not: 'active' } } },
      select: { id: true, roleName: true, endGeneration: true, identity: { select: { name: true, status: true } } },
    })
    if (!lease) return false
    const { count } = await tx.lease.updateMany({
      where: { id: lease.id, orgId: ctx.org.id, status: 'active' },
      data: { status: 'revoking', endReason: 'revoked', revokeRequestedAt: new Date(), revokedByLabel: ctx.actor.label },
    })
    if (!count) return false
    await recordAudit(tx, ctx, {
      action: 'lease.revoke-request',
      targetType: 'lease',
      targetId: lease.id,
      targetLabel: `${lease.roleName} for ${lease.identity.name}`,
      details: { reason: `the identity is ${lease.identity.status}` },
    })
    await enqueueJob(tx, endLeaseJob, { leaseId: lease.id, generation: lease.endGeneration }, { orgId: ctx.org.id })
    return true
  })
}

export type EndOutcome = 'ended' | 'already-ended' | 'not-due' | 'failed' | 'stuck'

/**
 * Ends a lease (the end_lease job's body; tests call it directly). Exactly once: the role's steps are each safe to repeat,
 * and the lease's state moves forward only in a conditional update, so its audit row is written by one attempt alone.
 * A failure is counted; at LEASE_END_ATTEMPTS the lease is stuck, with what blocked it, until an admin retries or forgets it.
 */
export async function endLease(
  ctx: Ctx,
  leaseId: string,
  opts: { now?: Date; onStep?: (s: EndStep) => Promise<void> | void } = {},
): Promise<{ outcome: EndOutcome; error?: string }> {
  const now = opts.now ?? new Date()
  const lease = await leaseOrThrow(ctx, leaseId)
  if (!['active', 'revoking'].includes(lease.status)) return { outcome: 'already-ended' }
  if (lease.status === 'active' && lease.expiresAt > now) return { outcome: 'not-due' }
  const label = `${lease.roleName} for ${lease.identity.name}`
  let result: { terminated: number; dropped: boolean }
  try {
    result = await endLeaseRole(lease.template.source, lease.roleName, opts.onStep)
  } catch (err) {
    const e = err as Error & { detail?: string }
    // PostgreSQL's detail says what blocks a DROP ROLE (e.g. "1 object in database x"): no secret is in either.
    const message = [e.message || String(err), e.detail].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 1000)
    const stuck = await db.$transaction(async (tx) => {
      const row = await tx.lease.update({
        where: { id: lease.id, orgId: ctx.org.id },
        data: { endAttempts: { increment: 1 }, lastError: message },
        select: { endAttempts: true, status: true },
      })
      // A configuration error (no connection named, variable unset) will not mend itself: stuck at once, for an admin.
      const permanent = err instanceof ConnectorError && err.permanent
      if ((!permanent && row.endAttempts < LEASE_END_ATTEMPTS) || !['active', 'revoking'].includes(row.status)) return false
      const { count } = await tx.lease.updateMany({
        where: { id: lease.id, orgId: ctx.org.id, status: { in: ['active', 'revoking'] } },
        data: { status: 'stuck', endReason: lease.endReason ?? 'expired' },
      })
      if (count)
        await recordAudit(tx, ctx, {
          action: 'lease.stuck',
          targetType: 'lease',
          targetId: lease.id,
          targetLabel: label,
          outcome: 'failure',
          details: { attempts: row.endAttempts, lastError: message },
        })
      return count > 0
    })
    return { outcome: stuck ? 'stuck' : 'failed', error: message }
  }
  const ended = await db.$transaction(async (tx) => {
    const current = await tx.lease.findFirst({ where: { id: lease.id, orgId: ctx.org.id }, select: { status: true, endReason: true } })
    if (!current || !['active', 'revoking'].includes(current.status)) return false
    const status = current.status === 'revoking' || current.endReason === 'revoked' ? 'revoked' : 'expired'
    const { count } = await tx.lease.updateMany({
      where: { id: lease.id, orgId: ctx.org.id, status: current.status },
      data: { status, endReason: status, endedAt: now, lastError: null },
    })
    if (!count) return false
    await mirrorLeaseEnded(tx, ctx.org.id, lease.id, 'revoked')
    await recordAudit(tx, ctx, {
      action: status === 'revoked' ? 'lease.revoke' : 'lease.expire',
      targetType: 'lease',
      targetId: lease.id,
      targetLabel: label,
      details: { role: lease.roleName, sessionsTerminated: result.terminated, roleDropped: result.dropped, attempts: lease.endAttempts + 1 },
    })
    return true
  })
  return { outcome: ended ? 'ended' : 'already-ended' }
}

/** A stuck lease tried again: back to revoking, its attempts reset, and a new job (its key names the new generation). */
export async function retryLease(ctx: Ctx, leaseId: string) {
  assertCan(ctx, 'lease:manage')
  return db.$transaction(async (tx) => {
    const lease = await leaseOrThrow(ctx, leaseId, tx)
    if (lease.status !== 'stuck') throw new ConflictError('Only a stuck lease can be retried.')
    const generation = lease.endGeneration + 1
    await tx.lease.update({ where: { id: lease.id, orgId: ctx.org.id }, data: { status: 'revoking', endAttempts: 0, endGeneration: generation } })
    await recordAudit(tx, ctx, {
      action: 'lease.retry',
      targetType: 'lease',
      targetId: lease.id,
      targetLabel: `${lease.roleName} for ${lease.identity.name}`,
      details: { lastError: lease.lastError },
    })
    await enqueueJob(tx, endLeaseJob, { leaseId: lease.id, generation }, { orgId: ctx.org.id, createdById: ctx.actor.type === 'user' ? ctx.actor.id : null })
    return { leaseId: lease.id, status: 'revoking' as const }
  })
}

/** Gives up on a stuck lease: Custodian stops trying, and the audit row names the role a person must drop by hand. */
export async function forgetLease(ctx: Ctx, leaseId: string, justification: string) {
  assertCan(ctx, 'lease:manage')
  if (!justification.trim()) throw new ValidationError('Say why the lease is forgotten.', { justification: ['Give a justification.'] })
  return db.$transaction(async (tx) => {
    const lease = await leaseOrThrow(ctx, leaseId, tx)
    const { count } = await tx.lease.updateMany({
      where: { id: lease.id, orgId: ctx.org.id, status: 'stuck' },
      data: { status: 'forgotten', endedAt: new Date() },
    })
    if (!count) throw new ConflictError('Only a stuck lease can be forgotten.')
    await mirrorLeaseEnded(tx, ctx.org.id, lease.id, 'inactive')
    await recordAudit(tx, ctx, {
      action: 'lease.forget',
      targetType: 'lease',
      targetId: lease.id,
      targetLabel: `${lease.roleName} for ${lease.identity.name}`,
      justification: justification.trim(),
      details: { role: lease.roleName, source: lease.template.source.name, lastError: lease.lastError },
    })
    return { leaseId: lease.id, status: 'forgotten' as const }
  })
}
