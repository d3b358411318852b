import 'server-only'
import { createPatch } from 'diff'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { ConflictError, ValidationError } from '@/lib/errors'
import { forgetOrgPolicies } from '@/lib/policies/current'
import { checkPolicies, parsePolicies, type PolicyProblem } from '@/lib/policies/engine'

// Saving the organization's policies: validated against Custodian's schema, then the new text, a version row and the
// audit row (with the diff) in one transaction.

export const formatProblem = (p: PolicyProblem) =>
  [p.line !== null ? `Line ${p.line}, column ${p.column}` : null, p.policyId ? `policy ${p.policyId}` : null].filter(Boolean).join(', ') +
  (p.line !== null || p.policyId ? ': ' : '') +
  p.message

/** Refuses a text the validator does not accept, with its messages (line and column where Cedar gives them). */
export function assertValidPolicies(text: string) {
  const problems = checkPolicies(text)
  if (problems.length)
    throw new ValidationError(problems.length === 1 ? 'The policies are not valid: 1 problem.' : `The policies are not valid: ${problems.length} problems.`, {
      text: problems.map(formatProblem),
    })
}

/** A short summary from what changed: the policy ids added, removed and edited. */
export function summarize(before: string, after: string): string {
  const ids = (t: string) => {
    const p = parsePolicies(t)
    return p.ok ? new Map(p.policies.map((x) => [x.id, x.text])) : new Map<string, string>()
  }
  const a = ids(before)
  const b = ids(after)
  const added = [...b.keys()].filter((k) => !a.has(k))
  const removed = [...a.keys()].filter((k) => !b.has(k))
  const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k))
  const parts = [
    added.length ? `added ${added.join(', ')}` : null,
    removed.length ? `removed ${removed.join(', ')}` : null,
    changed.length ? `changed ${changed.join(', ')}` : null,
  ].filter(Boolean)
  const s = parts.length ? parts.join('; ') : before === after ? 'no change' : 'formatting'
  return (s.charAt(0).toUpperCase() + s.slice(1)).slice(0, 200)
}

export type SaveSource = 'editor' | 'import' | 'api'

export async function savePolicies(ctx: Ctx, input: { text: string; summary?: string; baseVersion?: number; source: SaveSource; fileName?: string }) {
  assertCan(ctx, 'source:manage')
  // Stored with \n line ends and one final newline, so versions diff line by line.
  const trimmed = input.text.replace(/\r\n?/g, '\n').replace(/\s+$/, '')
  const text = trimmed ? `${trimmed}\n` : ''
  assertValidPolicies(text)
  const saved = await db
    .$transaction(async (tx) => {
      const current = await tx.orgPolicy.findUnique({ where: { orgId: ctx.org.id }, select: { text: true, version: true } })
      const before = current?.text ?? ''
      // The same text again changes nothing (a PUT repeated, a file imported twice): no version, no audit row.
      if (current && current.text === text) return { version: current.version, id: null, summary: 'No change', changed: false }
      const version = (current?.version ?? 0) + 1
      if (input.baseVersion !== undefined && input.baseVersion !== (current?.version ?? 0))
        throw new ConflictError(
          `Someone saved version ${current?.version ?? 0} since you opened version ${input.baseVersion}; reload and apply your change again.`,
        )
      const change = summarize(before, text)
      const summary =
        input.summary?.trim() ||
        (input.source === 'import' ? `Imported ${input.fileName ?? 'a .cedar file'}: ${change.charAt(0).toLowerCase()}${change.slice(1)}` : change)
      const actorId = ctx.actor.type === 'user' ? ctx.actor.id : null
      if (current) {
        // The version in the where clause: two saves at once cannot both move from one version.
        const n = await tx.orgPolicy.updateMany({ where: { orgId: ctx.org.id, version: current.version }, data: { text, version, updatedById: actorId } })
        if (n.count !== 1) throw new ConflictError('The policies changed while saving; reload and try again.')
      } else {
        await tx.orgPolicy.create({ data: { orgId: ctx.org.id, text, version, updatedById: actorId } })
      }
      const row = await tx.orgPolicyVersion.create({
        data: { orgId: ctx.org.id, version, text, summary: summary.slice(0, 200), authorId: actorId, authorLabel: ctx.actor.label },
      })
      await recordAudit(tx, ctx, {
        action: 'policy.update',
        targetType: 'policy',
        targetId: row.id,
        targetLabel: `version ${version}`,
        details: {
          version,
          previousVersion: current?.version ?? 0,
          source: input.source,
          summary: row.summary,
          diff: createPatch('policies.cedar', before, text, `version ${current?.version ?? 0}`, `version ${version}`),
        },
      })
      return { version, id: row.id as string | null, summary: row.summary, changed: true }
    })
    .catch((err: unknown) => {
      if ((err as { code?: string }).code === 'P2002') throw new ConflictError('The policies changed while saving; reload and try again.')
      throw err
    })
  forgetOrgPolicies(ctx.org.id)
  return saved
}
