import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { db } from '@/lib/db'
import { verifyAccessTokenWith, AccessTokenError } from '@/lib/federation/access-token-verify'
import { accessTokenIssuer, orgKeysById } from '@/lib/federation/access-token'
import { AUDIENCE_PATTERN } from '@/lib/federation/schemas'

// Tasks: an exchanged access token may carry a `task` (a purpose); it ends at its expiry, or earlier when the workload
// revokes it (RFC 7009, POST /api/v1/oauth/revoke). An ended token's exchange row gets `endedAt`: the API refuses it on
// the next call, and the row's trigger tells every gateway process to drop its cached copy.

/**
 * Ends the task of a valid access token (any of ours: the API's or a gateway route's audience). Returns null when the
 * token is not one of ours or not valid (RFC 7009: the caller is told nothing), else whether this call ended it.
 */
export async function endTask(token: string, opts: { requestId: string }): Promise<{ ended: boolean } | null> {
  let claims
  try {
    claims = await verifyAccessTokenWith(token, (aud) => AUDIENCE_PATTERN.test(aud), orgKeysById, accessTokenIssuer())
  } catch (err) {
    if (err instanceof AccessTokenError) return null
    throw err
  }
  return db.$transaction(async (tx) => {
    const row = await tx.tokenExchange.findFirst({
      where: { jti: claims.jti, orgId: claims.org_id, outcome: 'issued' },
      select: { id: true, endedAt: true, identityId: true, task: true, org: { select: { id: true, slug: true, name: true } } },
    })
    if (!row || !row.org || row.endedAt) return { ended: false }
    await tx.tokenExchange.update({ where: { id: row.id }, data: { endedAt: new Date() } })
    const identity = row.identityId ? await tx.identity.findFirst({ where: { id: row.identityId, orgId: row.org.id }, select: { id: true, name: true } }) : null
    await recordAudit(
      tx,
      { org: row.org, actor: { type: 'workload', id: claims.sub, label: (identity?.name ?? claims.sub).slice(0, 120) }, requestId: opts.requestId },
      {
        action: 'federation.task-ended',
        targetType: 'identity',
        targetId: claims.sub,
        targetLabel: identity?.name ?? claims.sub,
        details: { jti: claims.jti, task: row.task, audience: claims.aud, expiresAt: new Date(claims.exp * 1000).toISOString() },
      },
    )
    return { ended: true }
  })
}

/** Whether the task of this access token was ended early (one indexed read by jti). */
export async function taskEnded(jti: string): Promise<boolean> {
  return (await db.tokenExchange.findFirst({ where: { jti, endedAt: { not: null } }, select: { id: true } })) !== null
}
