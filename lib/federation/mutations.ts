import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db, type Tx } from '@/lib/db'
import { ConflictError, ForeignReferenceError, NotFoundError, ValidationError } from '@/lib/errors'
import { stringsOf } from '@/lib/json'
import { syncFederatedCredential } from '@/lib/federation/credential'
import { checkCondition } from '@/lib/federation/match'
import { GITHUB_ISSUER, type CreateProviderInput, type CreateRuleInput, type UpdateProviderInput, type UpdateRuleInput } from '@/lib/federation/schemas'

// Trust providers and rules: each change in one transaction with its audit row, scoped to the organization.

/** Scopes and audiences as stored: once each, sorted (the schemas do this too; domain callers may not go through them). */
const setOf = (xs: readonly string[]) => [...new Set(xs)].sort()

const userId = (ctx: Ctx) => (ctx.actor.type === 'user' ? ctx.actor.id : null)

async function providerOrThrow(ctx: Ctx, providerId: string, tx: Tx | typeof db = db) {
  const p = await tx.trustProvider.findFirst({ where: { id: providerId, orgId: ctx.org.id } })
  if (!p) throw new NotFoundError('Trust provider not found')
  return p
}

function checkPreset(preset: string, issuer: string) {
  if (preset === 'github' && issuer !== GITHUB_ISSUER)
    throw new ValidationError('GitHub Actions tokens come from one issuer.', { issuer: [`The GitHub Actions issuer is ${GITHUB_ISSUER}.`] })
}

/**
 * (issuer, audience) pairs are unique across organizations: the exchange finds the organization from a subject token's
 * issuer and audience, so two organizations trusting one GitHub audience would let one's workloads reach the other.
 */
async function indexAudiences(tx: Tx, ctx: Ctx, providerId: string, issuer: string, audiences: string[]) {
  await tx.trustProviderAudience.deleteMany({ where: { providerId, orgId: ctx.org.id } })
  for (const audience of audiences) {
    const taken = () =>
      new ValidationError('That audience is taken.', {
        audiences: [
          `“${audience}” is already trusted for this issuer by another provider; tokens must ask for an audience of their own (e.g. your organization’s URL).`,
        ],
      })
    if (await tx.trustProviderAudience.findFirst({ where: { issuer, audience }, select: { id: true } })) throw taken()
    // Two organizations saving the same pair at once: the unique index refuses the second.
    await tx.trustProviderAudience.create({ data: { orgId: ctx.org.id, providerId, issuer, audience } }).catch((err: unknown) => {
      throw (err as { code?: string }).code === 'P2002' ? taken() : err
    })
  }
}

function conflictOnName<T>(p: Promise<T>, what: string): Promise<T> {
  return p.catch((err: unknown) => {
    if ((err as { code?: string }).code === 'P2002') throw new ConflictError(`${what} with this name already exists.`)
    throw err
  })
}

export async function createProvider(ctx: Ctx, input: Omit<CreateProviderInput, 'orgSlug'>) {
  assertCan(ctx, 'source:manage')
  checkPreset(input.preset, input.issuer)
  return conflictOnName(
    db.$transaction(async (tx) => {
      const row = await tx.trustProvider.create({
        data: {
          orgId: ctx.org.id,
          name: input.name,
          issuer: input.issuer,
          audiences: JSON.stringify(input.audiences),
          jwksUri: input.jwksUri,
          preset: input.preset,
          status: input.status,
          createdById: userId(ctx),
        },
      })
      await indexAudiences(tx, ctx, row.id, row.issuer, input.audiences)
      await recordAudit(tx, ctx, {
        action: 'federation.provider-create',
        targetType: 'trust-provider',
        targetId: row.id,
        targetLabel: row.name,
        details: { issuer: row.issuer, audiences: input.audiences, jwksUri: row.jwksUri, preset: row.preset, status: row.status },
      })
      return row
    }),
    'A trust provider',
  )
}

export async function updateProvider(ctx: Ctx, input: Omit<UpdateProviderInput, 'orgSlug'>) {
  assertCan(ctx, 'source:manage')
  return conflictOnName(
    db.$transaction(async (tx) => {
      const before = await providerOrThrow(ctx, input.providerId, tx)
      const next = {
        name: input.name ?? before.name,
        issuer: input.issuer ?? before.issuer,
        audiences: input.audiences ?? stringsOf(before.audiences),
        jwksUri: input.jwksUri === undefined ? before.jwksUri : input.jwksUri,
        preset: input.preset ?? before.preset,
        status: input.status ?? before.status,
      }
      checkPreset(next.preset, next.issuer)
      const row = await tx.trustProvider.update({
        where: { id: before.id, orgId: ctx.org.id },
        data: { ...next, audiences: JSON.stringify(next.audiences) },
      })
      await indexAudiences(tx, ctx, row.id, row.issuer, next.audiences)
      if (before.status !== row.status || before.name !== row.name)
        for (const r of await tx.trustRule.findMany({ where: { providerId: row.id, orgId: ctx.org.id } })) await syncFederatedCredential(tx, r, row)
      const changes = Object.fromEntries(
        (Object.keys(next) as (keyof typeof next)[])
          .map((k) => [k, { from: k === 'audiences' ? stringsOf(before.audiences) : before[k], to: next[k] }] as const)
          .filter(([, c]) => JSON.stringify(c.from) !== JSON.stringify(c.to)),
      )
      await recordAudit(tx, ctx, {
        action: 'federation.provider-update',
        targetType: 'trust-provider',
        targetId: row.id,
        targetLabel: row.name,
        details: { changes },
      })
      return row
    }),
    'A trust provider',
  )
}

export async function deleteProvider(ctx: Ctx, input: { providerId: string }) {
  assertCan(ctx, 'source:manage')
  await db.$transaction(async (tx) => {
    const p = await providerOrThrow(ctx, input.providerId, tx)
    const ruleRows = await tx.trustRule.findMany({ where: { providerId: p.id, orgId: ctx.org.id } })
    const rules = ruleRows.length
    await tx.trustProvider.delete({ where: { id: p.id, orgId: ctx.org.id } })
    for (const r of ruleRows) await syncFederatedCredential(tx, r, p, true)
    await recordAudit(tx, ctx, {
      action: 'federation.provider-delete',
      targetType: 'trust-provider',
      targetId: p.id,
      targetLabel: p.name,
      details: { issuer: p.issuer, rulesDeleted: rules },
    })
  })
}

/** The identity, condition and gateway routes of a rule, each checked against this organization. */
async function checkRule(tx: Tx, ctx: Ctx, r: { identityId: string; condition: string; audiences: string[] }) {
  const identity = await tx.identity.findFirst({ where: { id: r.identityId, orgId: ctx.org.id }, select: { id: true, name: true, status: true } })
  if (!identity) throw new ForeignReferenceError('That identity is not in this organization.', { identityId: ['Choose an identity of this organization.'] })
  const err = checkCondition(r.condition)
  if (err) throw new ValidationError('The condition needs attention.', { condition: [err] })
  const routeIds = r.audiences.filter((a) => a.startsWith('gateway:')).map((a) => a.slice('gateway:'.length))
  if (routeIds.length) {
    const found = await tx.gatewayRoute.findMany({ where: { orgId: ctx.org.id, id: { in: routeIds } }, select: { id: true } })
    const missing = routeIds.filter((id) => !found.some((f) => f.id === id))
    if (missing.length)
      throw new ForeignReferenceError('A gateway route is not in this organization.', { audiences: [`Unknown gateway route: ${missing.join(', ')}.`] })
  }
  return identity
}

export async function createRule(ctx: Ctx, input: Omit<CreateRuleInput, 'orgSlug'>) {
  assertCan(ctx, 'source:manage')
  return conflictOnName(
    db.$transaction(async (tx) => {
      const provider = await providerOrThrow(ctx, input.providerId, tx)
      const identity = await checkRule(tx, ctx, input)
      const row = await tx.trustRule.create({
        data: {
          orgId: ctx.org.id,
          providerId: provider.id,
          name: input.name,
          identityId: identity.id,
          condition: input.condition,
          scopes: JSON.stringify(setOf(input.scopes)),
          audiences: JSON.stringify(setOf(input.audiences)),
          maxTtlSeconds: input.maxTtlSeconds,
          status: input.status,
          createdById: userId(ctx),
        },
      })
      await syncFederatedCredential(tx, row, provider)
      await recordAudit(tx, ctx, {
        action: 'federation.rule-create',
        targetType: 'trust-rule',
        targetId: row.id,
        targetLabel: row.name,
        details: {
          provider: { id: provider.id, name: provider.name },
          identity: { id: identity.id, name: identity.name },
          condition: row.condition,
          scopes: setOf(input.scopes),
          audiences: setOf(input.audiences),
          maxTtlSeconds: row.maxTtlSeconds,
          status: row.status,
        },
      })
      return row
    }),
    'A rule of this provider',
  )
}

export async function updateRule(ctx: Ctx, input: Omit<UpdateRuleInput, 'orgSlug'>) {
  assertCan(ctx, 'source:manage')
  return conflictOnName(
    db.$transaction(async (tx) => {
      const before = await tx.trustRule.findFirst({ where: { id: input.ruleId, orgId: ctx.org.id } })
      if (!before) throw new NotFoundError('Trust rule not found')
      const next = {
        name: input.name ?? before.name,
        identityId: input.identityId ?? before.identityId,
        condition: input.condition ?? before.condition,
        scopes: input.scopes ? setOf(input.scopes) : stringsOf(before.scopes),
        audiences: input.audiences ? setOf(input.audiences) : stringsOf(before.audiences),
        maxTtlSeconds: input.maxTtlSeconds ?? before.maxTtlSeconds,
        status: input.status ?? before.status,
      }
      await checkRule(tx, ctx, next)
      const row = await tx.trustRule.update({
        where: { id: before.id, orgId: ctx.org.id },
        data: { ...next, scopes: JSON.stringify(next.scopes), audiences: JSON.stringify(next.audiences) },
      })
      const provider = await providerOrThrow(ctx, row.providerId, tx)
      await syncFederatedCredential(tx, row, provider)
      const old = { ...before, scopes: stringsOf(before.scopes), audiences: stringsOf(before.audiences) }
      const changes = Object.fromEntries(
        (Object.keys(next) as (keyof typeof next)[])
          .map((k) => [k, { from: old[k], to: next[k] }] as const)
          .filter(([, c]) => JSON.stringify(c.from) !== JSON.stringify(c.to)),
      )
      await recordAudit(tx, ctx, { action: 'federation.rule-update', targetType: 'trust-rule', targetId: row.id, targetLabel: row.name, details: { changes } })
      return row
    }),
    'A rule of this provider',
  )
}

export async function deleteRule(ctx: Ctx, input: { ruleId: string }) {
  assertCan(ctx, 'source:manage')
  await db.$transaction(async (tx) => {
    const r = await tx.trustRule.findFirst({ where: { id: input.ruleId, orgId: ctx.org.id } })
    if (!r) throw new NotFoundError('Trust rule not found')
    await tx.trustRule.delete({ where: { id: r.id, orgId: ctx.org.id } })
    await syncFederatedCredential(tx, r, { name: '', status: 'disabled' }, true)
    await recordAudit(tx, ctx, {
      action: 'federation.rule-delete',
      targetType: 'trust-rule',
      targetId: r.id,
      targetLabel: r.name,
      details: { providerId: r.providerId, identityId: r.identityId, condition: r.condition },
    })
  })
}
