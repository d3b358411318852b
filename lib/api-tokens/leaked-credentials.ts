import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { systemContext, type Org } from '@/lib/auth/org-context'
import { canAct, resolveConnector } from '@/lib/connectors/registry'
import { fingerprintOf } from '@/lib/connectors/sync'
import { db, type Tx } from '@/lib/db'
import { ConflictError } from '@/lib/errors'
import { settleFindings } from '@/lib/findings/recompute'
import { SEVERITY_RANK } from '@/lib/findings/rules'
import { notify } from '@/lib/notifications/notify'
import { requestRemediation } from '@/lib/remediation/mutations'
import { parseOrgSettings, type LeakResponse } from '@/lib/settings/schemas'
import { emitEvent } from '@/lib/webhooks/emit'
import { externalIdOf } from '@/lib/api-tokens/inventory'

// The leak intake's second half (issue 14, part 5): a reported string that is the secret of a governed credential —
// its salted fingerprint equals one the inventory holds, in any organization — raises an NHI2 finding on that
// credential's identity, tells its owner, and, as the organization chose (Settings → "When a secret of ours is reported
// leaked"), asks its source's connector to rotate or revoke it. The string itself is only ever hashed: it reaches no
// row, log line, job payload or event.

/** The finding a leaked governed secret raises on its identity (OWASP NHI2); it lives until a person resolves it. */
export const LEAKED_SECRET_RULE = 'leaked-secret'
const TITLE = 'Secret leaked: a credential of this identity was found in public'
/** Most credentials one reported string is looked up against (a secret shared this widely is one finding per holder anyway). */
const MAX_HOLDERS = 500
const TOKEN_EXTERNAL_ID = externalIdOf('')

export type Where = { url: string | null; source: string | null; type: string }
export type CredentialLeak = { credentialId: string; orgId: string; action: LeakResponse; repeat: boolean; manual: boolean }

/**
 * The governed credentials whose secret is this string, across organizations, by the Credential(fingerprint) index.
 * Custodian's own secrets are left out: its API tokens are handled as tokens (revoked at once), and a federated
 * credential has no secret (its fingerprint names a trust rule, never a hash).
 */
export async function unsafeFindLeakedCredentials(reported: string) {
  // Across organizations on purpose: the scanner's report names no organization, only the string.
  const rows = await db.credential.findMany({
    where: { fingerprint: fingerprintOf(reported), status: { not: 'revoked' } },
    select: { id: true, orgId: true, externalId: true },
    take: MAX_HOLDERS,
  })
  return rows.filter((r) => !r.externalId?.startsWith(TOKEN_EXTERNAL_ID))
}

const VERB: Record<Exclude<LeakResponse, 'notify'>, { kind: 'rotate_credential' | 'revoke_credential'; past: string; noun: string }> = {
  rotate: { kind: 'rotate_credential', past: 'rotated', noun: 'rotation' },
  revoke: { kind: 'revoke_credential', past: 'revoked', noun: 'revocation' },
}

/** Handles one reported string: each governed credential it is the secret of, in its own organization's transaction. */
export async function handleLeakedCredentials(reported: string, where: Where, now = new Date()): Promise<CredentialLeak[]> {
  const out: CredentialLeak[] = []
  for (const c of await unsafeFindLeakedCredentials(reported)) {
    const r = await db.$transaction((tx) => handleOne(tx, c.id, c.orgId, where, now), { timeout: 30_000, maxWait: 10_000 })
    if (r) out.push(r)
  }
  return out
}

async function handleOne(tx: Tx, credentialId: string, orgId: string, where: Where, now: Date): Promise<CredentialLeak | null> {
  const cred = await tx.credential.findFirst({
    where: { id: credentialId, orgId },
    select: {
      id: true,
      kind: true,
      label: true,
      externalId: true,
      status: true,
      org: { select: { id: true, slug: true, name: true, settings: true } },
      identity: {
        select: {
          id: true,
          name: true,
          ownerId: true,
          backupOwnerId: true,
          source: { select: { id: true, name: true, type: true, config: true, secretRef: true } },
        },
      },
    },
  })
  if (!cred || cred.status === 'revoked') return null
  const org: Org = { id: cred.org.id, slug: cred.org.slug, name: cred.org.name }
  const identity = cred.identity
  const action = parseOrgSettings(cred.org.settings).leakResponse
  // The scanner acts for the organization only as far as its own setting lets it: to ask for a rotation or revocation.
  const ctx = systemContext(org, { type: 'secret_scanning', id: null }, action === 'notify' ? [] : ['identity:remediate'])
  const label = cred.label ?? `${cred.kind.replace('_', ' ')}${cred.externalId ? ` ${cred.externalId}` : ''}`
  const at = where.url ? ` at ${where.url}` : where.source ? ` (${where.source})` : ''

  const finding = await tx.finding.findUnique({ where: { identityId_rule: { identityId: identity.id, rule: LEAKED_SECRET_RULE } }, select: { status: true } })
  // Reported again while its finding is open: the first report's finding, notice and request stand; only the evidence grows.
  const repeat =
    finding?.status === 'open' && !!(await tx.auditEvent.findFirst({ where: { orgId, targetId: cred.id, action: 'credential.leaked' }, select: { id: true } }))

  let outcome = 'People decide what to do (the organization’s setting is “notify only”).'
  let manual = false
  let remediationId: string | null = null
  if (!repeat && action !== 'notify') {
    const v = VERB[action]
    const { connector, mode } = resolveConnector(identity.source)
    manual = mode === 'manual' || !canAct(connector, v.kind)
    try {
      const r = await requestRemediation(
        ctx,
        { kind: v.kind, identityId: identity.id, credentialId: cred.id, justification: `Secret scanning reported this secret in public${at}.`.slice(0, 1000) },
        tx,
      )
      remediationId = r.remediation.id
      outcome = manual
        ? `Manual action needed: ${identity.source.name} has no connector that can do this, so its ${v.noun} waits for a person in Remediation.`
        : `Its ${v.noun} was requested from ${identity.source.name}${mode === 'simulated' ? ' (a simulated demo source)' : ''}.`
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err
      manual = true
      outcome = `Manual action needed: it could not be ${v.past} automatically (${err.message})`
    }
  } else if (repeat) {
    outcome = 'Reported again; see the first report for what was done.'
  }

  const detail = `The secret of ${label} was reported public by secret scanning${at}. ${outcome}`.slice(0, 2000)
  if (!repeat) {
    await tx.finding.upsert({
      where: { identityId_rule: { identityId: identity.id, rule: LEAKED_SECRET_RULE } },
      create: {
        orgId,
        identityId: identity.id,
        rule: LEAKED_SECRET_RULE,
        owaspCode: 'NHI2',
        severity: 'critical',
        severityRank: SEVERITY_RANK.critical,
        title: TITLE,
        detail,
        firstSeenAt: now,
        lastSeenAt: now,
      },
      update: { status: 'open', lastSeenAt: now, resolvedAt: null, acceptedUntil: null, detail },
    })
  } else {
    await tx.finding.update({ where: { identityId_rule: { identityId: identity.id, rule: LEAKED_SECRET_RULE } }, data: { lastSeenAt: now } })
  }
  // Never the reported string: which credential, where it was seen, what was done.
  await recordAudit(tx, ctx, {
    action: 'credential.leaked',
    targetType: 'credential',
    targetId: cred.id,
    targetLabel: `${identity.name}: ${label}`.slice(0, 200),
    justification: `Reported as leaked by secret scanning${at}`.slice(0, 1000),
    details: { identityId: identity.id, ...where, response: action, repeat, manual, remediationId },
  })
  if (repeat) return { credentialId: cred.id, orgId, action, repeat, manual }

  await recordAudit(tx, ctx, {
    action: 'finding.open',
    targetType: 'identity',
    targetId: identity.id,
    targetLabel: identity.name,
    details: { rule: LEAKED_SECRET_RULE, owaspCode: 'NHI2', credentialId: cred.id },
  })
  // The identity's risk score and open-finding count take the new finding in.
  await settleFindings(tx, orgId, [identity.id])
  const event = {
    identity: { id: identity.id, name: identity.name },
    credential: { id: cred.id, kind: cred.kind, label: cred.label, externalId: cred.externalId },
  }
  await emitEvent(tx, orgId, 'credential.leaked', { ...event, ...where, response: action, manual, remediationId })
  await emitEvent(tx, orgId, 'finding.opened', {
    finding: { rule: LEAKED_SECRET_RULE, owaspCode: 'NHI2', severity: 'critical', title: TITLE },
    identity: event.identity,
  })
  const owners = [identity.ownerId, identity.backupOwnerId].filter((x): x is string => !!x)
  // Nobody owns it: governance hears of it instead, so a leak never goes unread.
  const recipients = owners.length
    ? owners
    : (
        await tx.membership.findMany({
          where: { orgId, status: 'active', role: { in: ['admin', 'governance'] }, user: { active: true } },
          select: { userId: true },
        })
      ).map((m) => m.userId)
  await notify(
    tx,
    [...new Set(recipients)].map((userId) => ({
      orgId,
      userId,
      kind: 'credential.leaked',
      title: `A secret of ${identity.name} was found in public`,
      body: `Secret scanning reported the secret of ${label}${at}. ${outcome}`,
      link: `/${org.slug}/identities/${identity.id}`,
    })),
  )
  return { credentialId: cred.id, orgId, action, repeat, manual }
}
