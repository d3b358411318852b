import 'server-only'
import { recordAudit } from '@/lib/audit/record'
import { assertCan, type UserCtx } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { getOrgSettings } from '@/lib/inventory/queries'
import { filterToSearchParams, type IdentityFilter } from '@/lib/inventory/schemas'
import { identityWhere } from '@/lib/inventory/where'
import { csvLine, csvLines } from '@/lib/reports/csv'

export const EXPORT_PAGE_SIZE = 2_000

export const EXPORT_COLUMNS = [
  'id',
  'name',
  'kind',
  'environment',
  'status',
  'source',
  'external_id',
  'owner',
  'owner_email',
  'backup_owner_email',
  'team',
  'privileged',
  'risk_score',
  'open_findings',
  'grants',
  'credentials',
  'last_used_at',
  'oldest_secret_at',
  'created_at',
] as const

const SELECT = {
  id: true,
  name: true,
  kind: true,
  environment: true,
  status: true,
  externalId: true,
  privileged: true,
  riskScore: true,
  openFindings: true,
  grantCount: true,
  credentialCount: true,
  lastUsedAt: true,
  oldestSecretAt: true,
  createdAt: true,
  source: { select: { name: true } },
  owner: { select: { name: true, email: true } },
  backupOwner: { select: { email: true } },
  team: { select: { name: true } },
} as const

const iso = (d: Date | null) => (d ? d.toISOString() : '')

type Row = Awaited<ReturnType<typeof fetchPage>>[number]

function toCells(r: Row): string[] {
  return [
    r.id,
    r.name,
    r.kind,
    r.environment,
    r.status,
    r.source.name,
    r.externalId,
    r.owner?.name ?? '',
    r.owner?.email ?? '',
    r.backupOwner?.email ?? '',
    r.team?.name ?? '',
    r.privileged ? 'true' : 'false',
    String(r.riskScore),
    String(r.openFindings),
    String(r.grantCount),
    String(r.credentialCount),
    iso(r.lastUsedAt),
    iso(r.oldestSecretAt),
    iso(r.createdAt),
  ]
}

function fetchPage(where: ReturnType<typeof identityWhere>, after: { name: string; id: string } | null, take: number) {
  // Keyset on (name, id), the order of the (orgId, name, id) index: each page is one indexed range, whatever the size.
  const keyset = after ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] } : null
  return db.identity.findMany({ where: keyset ? { AND: [where, keyset] } : where, orderBy: [{ name: 'asc' }, { id: 'asc' }], take, select: SELECT })
}

/**
 * The identities matching a filter as CSV, streamed page by page (never the whole result in memory). The export is
 * audited before the first row leaves: who, which filter, and how many identities matched at that moment.
 */
export async function exportIdentitiesCsv(ctx: UserCtx, filter: IdentityFilter, opts: { pageSize?: number; now?: Date } = {}) {
  assertCan(ctx, 'identity:read')
  const now = opts.now ?? new Date()
  const take = opts.pageSize ?? EXPORT_PAGE_SIZE
  const { dormantDays } = await getOrgSettings(ctx)
  const where = identityWhere(ctx.org.id, filter, { userId: ctx.user.id, dormantDays, now })
  const rows = await db.identity.count({ where })
  const filterParams = Object.fromEntries(filterToSearchParams(filter))
  await db.$transaction((tx) =>
    recordAudit(tx, ctx, { action: 'identity.export', targetType: 'identity', details: { format: 'csv', filter: filterParams, rows } }),
  )

  const encoder = new TextEncoder()
  let after: { name: string; id: string } | null = null
  let finished = false
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(csvLine(EXPORT_COLUMNS)))
      },
      async pull(controller) {
        if (finished) return controller.close()
        const page = await fetchPage(where, after, take)
        if (page.length) controller.enqueue(encoder.encode(csvLines(page.map(toCells))))
        if (page.length < take) {
          finished = true
          controller.close()
        } else {
          const last = page[page.length - 1]
          after = { name: last.name, id: last.id }
        }
      },
    },
    // One page queued at a time: the database is read only as fast as the client downloads.
    { highWaterMark: 1 },
  )
  const filename = `custodian-${ctx.org.slug.replace(/[^a-z0-9-]/gi, '-')}-identities-${now.toISOString().slice(0, 10)}.csv`
  return { stream, filename, rows }
}
