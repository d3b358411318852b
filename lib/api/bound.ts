import 'server-only'
import { recordDenied } from '@/lib/audit/record'
import { db } from '@/lib/db'
import type { TokenCtx } from '@/lib/api/authenticate'
import { problem } from '@/lib/api/problem'

// A token limited to one identity (an owner's token, lib/api-tokens/identity-tokens.ts) reaches that identity and
// nothing else. Only the operations below accept one, each with its check of the target; any other operation is refused
// whatever the token's scopes, so a new operation is closed to such tokens until it is listed here with its check.

type Target = { params: Record<string, unknown>; query: Record<string, unknown> }
type Check = (identityId: string, t: Target, ctx: TokenCtx) => Promise<Target>

// Another identity answers "not found", as another organization's would: the token does not learn that it exists.
const notFound = () => problem(404, 'Not found.')

const BOUND_OPERATIONS: Record<string, Check> = {
  getIdentity: async (identityId, t) => {
    if (t.params.id !== identityId) throw notFound()
    return t
  },
  // Its own credentials only: the filter is set to its identity (asking for another identity's answers not found).
  listCredentials: async (identityId, t) => {
    if (t.query.identityId !== undefined && t.query.identityId !== identityId) throw notFound()
    return { ...t, query: { ...t.query, identityId } }
  },
}

/** The target as the operation may run it for this token: unchanged for an unlimited token; refused or narrowed for a limited one. */
export async function withinBoundIdentity(ctx: TokenCtx, op: { operationId: string; method: string; path: string }, t: Target): Promise<Target> {
  if (!ctx.identityId) return t
  try {
    const check = BOUND_OPERATIONS[op.operationId]
    if (!check) throw problem(403, 'This token is limited to one identity: it can read that identity and its credentials, nothing else.')
    // The identity must still be there, in the token's organization.
    if (!(await db.identity.findFirst({ where: { id: ctx.identityId, orgId: ctx.org.id }, select: { id: true } }))) throw notFound()
    return await check(ctx.identityId, t, ctx)
  } catch (err) {
    // Reaching beyond its identity is a refused attempt, recorded like a missing scope.
    await recordDenied(ctx, {
      action: `api.${op.operationId}`,
      targetType: 'route',
      targetLabel: `${op.method.toUpperCase()} ${op.path}`,
      details: { reason: 'limited-to-identity', identityId: ctx.identityId },
    })
    throw err
  }
}

export const BOUND_OPERATION_IDS = Object.keys(BOUND_OPERATIONS)
