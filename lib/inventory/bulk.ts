import 'server-only'
import { assertCan, type Ctx } from '@/lib/auth/org-context'
import { applyDiscovery, type SyncResult } from '@/lib/connectors/sync'
import { readGenericNdjson } from '@/lib/connectors/import/generic'
import { db } from '@/lib/db'
import { enqueueFindingsRecompute } from '@/lib/findings/jobs'
import { NotFoundError, ValidationError } from '@/lib/errors'
import { TOKEN_SOURCE } from '@/lib/api-tokens/inventory'
import { GATEWAY_SOURCE_TYPE } from '@/lib/gateway/source'
import { manualSource } from '@/lib/inventory/mutations'

/**
 * Bulk upsert of identities from NDJSON (the generic import format's fields, one object per line), by external id
 * within one source: the organization's "Manual and API entries" source unless another is named. The sync engine does
 * the work — the same one file imports and connectors use — in batches that each commit with their audit row, so a
 * stream of any length never holds one long transaction. Lines that cannot be read are reported (line number and
 * why) and left out; the others are applied. Nothing is marked gone: an identity absent from the stream is untouched.
 * As after an import, a findings recompute is queued when anything changed, and stale planner statistics are refreshed
 * by the worker (never by this request).
 */
export async function bulkUpsertIdentities(
  ctx: Ctx,
  sourceId: string | undefined,
  lines: AsyncIterable<readonly string[]>,
  details: Record<string, unknown> = {},
) {
  assertCan(ctx, 'source:manage')
  const source = sourceId
    ? await db.source.findFirst({ where: { id: sourceId, orgId: ctx.org.id }, select: { id: true, type: true } })
    : await db.$transaction((tx) => manualSource(tx, ctx))
  if (!source) throw new NotFoundError('Source not found')
  // Sources Custodian keeps itself: their identities and credentials mirror its own routes and tokens, never a feed.
  if ('type' in source && source.type === GATEWAY_SOURCE_TYPE)
    throw new ValidationError('The gateway source holds routes, not identities.', { sourceId: ['Choose another source, or leave it out.'] })
  if ('type' in source && source.type === TOKEN_SOURCE.type)
    throw new ValidationError('The “Custodian API tokens” source mirrors Custodian’s own tokens: it cannot be written to.', {
      sourceId: ['Choose another source, or leave it out.'],
    })
  const r: SyncResult = await applyDiscovery(ctx, source.id, readGenericNdjson(lines), {
    mode: 'partial',
    details: { via: 'api-bulk', ...details },
    // As after an import: the findings follow what changed, computed by the worker.
    onCommit: async (tx, result) => {
      if (result.added || result.changed) await enqueueFindingsRecompute(tx, ctx, { reason: 'bulk upsert through the API' })
    },
    statistics: 'queue',
  })
  return {
    sourceId: source.id,
    added: r.added,
    changed: r.changed,
    unchanged: r.unchanged,
    skipped: r.skipped,
    errors: r.errors,
    errorSamples: r.errorSamples.map((e) => ({ line: e.line ?? null, message: `${e.ref ? `${e.ref}: ` : ''}${e.message}` })),
    credentials: { added: r.credentials.added, changed: r.credentials.changed },
    grants: { added: r.grants.added, changed: r.grants.changed },
  }
}
