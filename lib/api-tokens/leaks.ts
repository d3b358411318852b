import 'server-only'
import { emitEvent } from '@/lib/webhooks/emit'
import { createPublicKey, verify } from 'node:crypto'
import { z } from 'zod'
import { recordAudit } from '@/lib/audit/record'
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { SEVERITY_RANK } from '@/lib/findings/rules'
import { notify } from '@/lib/notifications/notify'
import { dropCachedTokens } from '@/lib/api-tokens/cache'
import { displayPrefix, hashToken, parseToken } from '@/lib/api-tokens/format'
import { mirrorRevokedToken } from '@/lib/api-tokens/inventory'
import { handleLeakedCredentials } from '@/lib/api-tokens/leaked-credentials'

/** The finding a leaked token raises on its identity (OWASP NHI2, secret leakage); it lives until a person resolves it. */
export const LEAKED_TOKEN_RULE = 'leaked-token'
/** Most strings one report may carry. */
export const MAX_REPORTED = 1000

/** GitHub secret scanning's partner payload: the strings it found, where. */
export const leakReportSchema = z
  .array(
    z.object({
      token: z.string().min(1).max(1000),
      type: z.string().max(200),
      url: z.string().max(2000).optional(),
      source: z.string().max(200).optional(),
    }),
  )
  .min(1)
  .max(MAX_REPORTED)
export type LeakReport = z.infer<typeof leakReportSchema>
export type LeakVerdict = { token_raw: string; token_type: string; label: 'true_positive' | 'false_positive' }

/** Test seam: the scanner's key as configured (CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY, …_KEY_ID). */
export const scannerKey = { get: () => env().secretScanner }

/**
 * Whether the body is signed by the configured scanner key: ECDSA P-256 over SHA-256 of the exact bytes, the
 * signature base64 (DER) in `Github-Public-Key-Signature`, the key named by `Github-Public-Key-Identifier`.
 */
export function scannerSignatureProblem(body: Buffer, keyId: string | null, signature: string | null): string | null {
  const key = scannerKey.get()
  if (!key) return 'No secret scanner key is configured (CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY): reports cannot be verified, so none are accepted.'
  if (!signature || !keyId) return 'Sign the report: send Github-Public-Key-Identifier and Github-Public-Key-Signature.'
  if (key.keyId && key.keyId !== keyId) return 'The report is signed with a key this installation does not know.'
  try {
    const publicKey = createPublicKey(key.publicKeyPem)
    if (verify('sha256', body, publicKey, Buffer.from(signature, 'base64'))) return null
  } catch {
    // A malformed signature or key verifies nothing.
  }
  return 'The report’s signature does not verify.'
}

/**
 * Handles a verified report: each string that is a Custodian API token (format, checksum, then its hash — the current
 * secret or a rotated one) is revoked at once, audited in its organization as the system, its creator notified, and an
 * NHI2 finding raised on its identity when it has one. Every string is also matched against the governed credentials by
 * salted fingerprint. A string that is neither a Custodian token nor a governed secret is a false positive.
 */
export async function handleLeakReport(report: LeakReport, now = new Date()): Promise<LeakVerdict[]> {
  const out: LeakVerdict[] = []
  for (const r of report) {
    const verdict = (label: LeakVerdict['label']) => out.push({ token_raw: r.token, token_type: r.type, label })
    // Every string is also checked against the governed credentials of every organization (lib/api-tokens/leaked-credentials.ts).
    const governed = await handleLeakedCredentials(r.token, { url: r.url ?? null, source: r.source ?? null, type: r.type }, now)
    const token = parseToken(r.token) ? await handleLeakedToken(r, now) : false
    verdict(token || governed.length > 0 ? 'true_positive' : 'false_positive')
  }
  return out
}

/** A reported string in Custodian's token format: revoked at once when it is one of ours (the current secret or a rotated one). */
async function handleLeakedToken(r: LeakReport[number], now: Date): Promise<boolean> {
  const hash = hashToken(r.token)
  const row = await db.apiToken.findFirst({
    where: { OR: [{ hash }, { previousHash: hash }] },
    select: {
      id: true,
      name: true,
      prefix: true,
      hash: true,
      revokedAt: true,
      createdById: true,
      identityId: true,
      org: { select: { id: true, slug: true, name: true } },
    },
  })
  if (!row) return false
  const ctx = systemContext(row.org, { type: 'secret_scanning', id: null }, ['api-token:manage'])
  await db.$transaction(async (tx) => {
    const alreadyRevoked = !!row.revokedAt
    if (!alreadyRevoked)
      await tx.apiToken.update({ where: { id: row.id, orgId: row.org.id }, data: { revokedAt: now, previousHash: null, previousExpiresAt: null } })
    await mirrorRevokedToken(tx, row.org.id, row.id, now)
    const where = { url: r.url ?? null, source: r.source ?? null, type: r.type }
    // Never the token itself: its public part and where it was found.
    await recordAudit(tx, ctx, {
      action: 'api-token.leaked',
      targetType: 'api-token',
      targetId: row.id,
      targetLabel: row.name,
      justification: `Reported as leaked by secret scanning${r.url ? ` at ${r.url}` : ''}`,
      details: { prefix: displayPrefix(row.prefix), ...where, secret: row.hash === hash ? 'current' : 'previous', revoked: !alreadyRevoked },
    })
    // The token's public prefix only, never the reported string.
    await emitEvent(tx, row.org.id, 'token.leaked', {
      token: { id: row.id, name: row.name, prefix: displayPrefix(row.prefix), identityId: row.identityId },
      ...where,
      revoked: !alreadyRevoked,
    })
    const identity = row.identityId ? await tx.identity.findFirst({ where: { id: row.identityId, orgId: row.org.id }, select: { id: true, name: true } }) : null
    if (identity) {
      const detail = `API token “${row.name}” (${displayPrefix(row.prefix)}) was reported public${r.url ? ` at ${r.url}` : ''}; it was revoked at once.`
      await tx.finding.upsert({
        where: { identityId_rule: { identityId: identity.id, rule: LEAKED_TOKEN_RULE } },
        create: {
          orgId: row.org.id,
          identityId: identity.id,
          rule: LEAKED_TOKEN_RULE,
          owaspCode: 'NHI2',
          severity: 'critical',
          severityRank: SEVERITY_RANK.critical,
          title: 'Secret leaked: an API token of this identity was found in public',
          detail,
          firstSeenAt: now,
          lastSeenAt: now,
        },
        update: { status: 'open', lastSeenAt: now, resolvedAt: null, detail },
      })
      await recordAudit(tx, ctx, {
        action: 'finding.open',
        targetType: 'identity',
        targetId: identity.id,
        targetLabel: identity.name,
        details: { rule: LEAKED_TOKEN_RULE, owaspCode: 'NHI2', tokenId: row.id },
      })
      await emitEvent(tx, row.org.id, 'finding.opened', {
        finding: {
          rule: LEAKED_TOKEN_RULE,
          owaspCode: 'NHI2',
          severity: 'critical',
          title: 'Secret leaked: an API token of this identity was found in public',
        },
        identity: { id: identity.id, name: identity.name },
      })
    }
    if (row.createdById)
      await notify(tx, [
        {
          orgId: row.org.id,
          userId: row.createdById,
          kind: 'token.leaked',
          title: `API token “${row.name}” was found in public and revoked`,
          body: `Secret scanning reported ${displayPrefix(row.prefix)}${r.url ? ` at ${r.url}` : ''}. ${alreadyRevoked ? 'It was already revoked.' : 'It no longer works: create a new token and remove the leaked one from where it was found.'}`,
          link: `/${row.org.slug}/settings/api-tokens`,
        },
      ])
  })
  // Refused from this process's next call (other processes: within TOKEN_CACHE_MS, lib/api-tokens/cache.ts).
  dropCachedTokens()
  return true
}
