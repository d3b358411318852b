import 'server-only'
import { db } from '@/lib/db'
import { CompiledPolicies, type PolicyDecision, type PolicyRequest } from '@/lib/policies/engine'

// Each process keeps every organization's policies compiled, with their decisions cached per request shape. Freshness
// across processes: before deciding, the organization's policy version is read again (one indexed read of
// OrgPolicy.orgId, shared by the requests in flight) when the last read is older than VERSION_CHECK_MS; a new version
// is loaded and compiled, which drops the old decisions. So a change saved by any process applies here within
// VERSION_CHECK_MS plus one read, well under a second, and a busy organization costs at most two reads a second.
// A save in this process applies at once (forgetOrgPolicies).

export const VERSION_CHECK_MS = 500

type Entry = { checkedAt: number; compiled: CompiledPolicies | null; pending: Promise<CompiledPolicies | null> | null }
const orgs = new Map<string, Entry>()
const EMPTY = new CompiledPolicies('', 0)

async function refresh(orgId: string, entry: Entry): Promise<CompiledPolicies | null> {
  const head = await db.orgPolicy.findUnique({ where: { orgId }, select: { version: true } })
  const version = head?.version ?? 0
  if (entry.compiled && entry.compiled.version === version) return entry.compiled
  if (version === 0) return EMPTY
  const row = await db.orgPolicy.findUnique({ where: { orgId }, select: { text: true, version: true } })
  return row ? new CompiledPolicies(row.text, row.version) : EMPTY
}

/** The organization's compiled policies, at most VERSION_CHECK_MS behind the database. */
export async function orgPolicies(orgId: string): Promise<CompiledPolicies> {
  let entry = orgs.get(orgId)
  if (!entry) {
    if (orgs.size > 10_000) orgs.clear()
    entry = { checkedAt: 0, compiled: null, pending: null }
    orgs.set(orgId, entry)
  }
  const e = entry
  if (e.compiled && Date.now() - e.checkedAt < VERSION_CHECK_MS) return e.compiled
  if (!e.pending) {
    const started = Date.now()
    e.pending = refresh(orgId, e)
      .then((c) => {
        e.compiled = c
        e.checkedAt = started
        return c
      })
      .finally(() => {
        e.pending = null
      })
  }
  return (await e.pending) ?? EMPTY
}

/**
 * The one decision function: token exchange (and, next, the gateway and every API call) and the simulator all call it,
 * so what the simulator shows is what is enforced.
 */
export async function decidePolicy(orgId: string, req: PolicyRequest): Promise<PolicyDecision & { version: number }> {
  const compiled = await orgPolicies(orgId)
  return { ...compiled.decide(req), version: compiled.version }
}

/** A save in this process: the next decision reads the new version at once. */
export function forgetOrgPolicies(orgId?: string) {
  if (orgId) orgs.delete(orgId)
  else orgs.clear()
}
