import 'server-only'
import type { Ctx, UserCtx } from '@/lib/auth/org-context'
import { assertCan } from '@/lib/auth/org-context'
import { parseSourceConfig, resolveConnector, type SourceLike } from '@/lib/connectors/registry'
import { db } from '@/lib/db'
import { NotFoundError } from '@/lib/errors'
import type { JobType } from '@/lib/jobs/registry'
import { FORMAT_INFO, IMPORT_FORMATS, sourceEnvironmentOf, type ImportFormat, type SourceEnvironment } from '@/lib/sources/schemas'

/** The jobs that change a source's identities, and the one that reads a file before its import. */
const SOURCE_JOBS: JobType[] = ['sync_source', 'import_file']
const FILE_JOBS: JobType[] = [...SOURCE_JOBS, 'preview_import']

export type SourceRow = {
  id: string
  name: string
  type: string
  status: string
  importFormat: ImportFormat | null
  live: boolean
  /** a demo source (config.simulated): its remediations change nothing outside Custodian */
  simulated: boolean
  syncSchedule: string | null
  lastSyncAt: Date | null
  lastSyncStatus: string | null
  lastSyncError: string | null
  identities: number
  deleted: number
  /** the environment given to identities the source does not label, or null */
  defaultEnvironment: SourceEnvironment | null
  /** identities (not deleted) whose environment is unknown: what setting an environment would label now */
  unknownEnvironment: number
  activeJob: { id: string; type: string; status: string; progress: number; total: number } | null
}

/**
 * The file format an import source takes, or null for every other source. Uploads only go into import sources:
 * a live or demo source's identities come from elsewhere, and a complete-inventory import would mark them deleted.
 */
export function importFormatOf(source: SourceLike): ImportFormat | null {
  const config = parseSourceConfig(source.config)
  const format = config.importFormat as ImportFormat
  if (!IMPORT_FORMATS.includes(format) || FORMAT_INFO[format].sourceType !== source.type) return null
  if (config.simulated === true || resolveConnector(source).mode === 'live') return null
  return format
}

/** A source of this organization with what an import into it checks (importRefusal), or null. */
export function findImportSource(ctx: Ctx, sourceId: string) {
  return db.source.findFirst({ where: { id: sourceId, orgId: ctx.org.id }, select: { id: true, name: true, type: true, config: true, secretRef: true } })
}

/** Why a file in this format may not go into this source (a sentence to show), or null when it may. */
export function importRefusal(source: SourceLike & { name: string }, format: ImportFormat): string | null {
  const takes = importFormatOf(source)
  if (takes) return takes === format ? null : `This source takes ${FORMAT_INFO[takes].label} files, not ${FORMAT_INFO[format].label}.`
  const mode = resolveConnector(source).mode
  const what =
    mode === 'live' ? 'a live connector: its inventory comes from the system itself' : mode === 'simulated' ? 'a demo source' : 'not an import source'
  return `“${source.name}” is ${what}, so it does not take uploaded files. Create an import source for this file on the Sources page and import into that.`
}

export async function listSources(ctx: UserCtx): Promise<SourceRow[]> {
  assertCan(ctx, 'source:read')
  const [sources, counts, jobs] = await Promise.all([
    db.source.findMany({ where: { orgId: ctx.org.id }, orderBy: { name: 'asc' } }),
    // The maintained cells (IdentityFacet, kept by triggers on Identity) rather than counting a million identities.
    db.identityFacet.groupBy({ by: ['sourceId', 'status', 'environment'], where: { orgId: ctx.org.id, n: { gt: 0 } }, _sum: { n: true } }),
    db.job.findMany({
      where: { orgId: ctx.org.id, type: { in: SOURCE_JOBS }, status: { in: ['queued', 'running', 'retrying'] } },
      select: { id: true, type: true, status: true, progress: true, total: true, payload: true },
      orderBy: { createdAt: 'desc' },
      take: 200,
    }),
  ])
  return sources.map((s) => {
    const mine = counts.filter((c) => c.sourceId === s.id)
    const job = jobs.find((j) => j.payload.includes(`"sourceId":"${s.id}"`))
    return {
      id: s.id,
      name: s.name,
      type: s.type,
      status: s.status,
      importFormat: importFormatOf(s),
      live: resolveConnector(s).mode === 'live',
      simulated: resolveConnector(s).mode === 'simulated',
      syncSchedule: s.syncSchedule,
      lastSyncAt: s.lastSyncAt,
      lastSyncStatus: s.lastSyncStatus,
      lastSyncError: s.lastSyncError,
      identities: mine.filter((c) => c.status !== 'deleted').reduce((n, c) => n + (c._sum.n ?? 0), 0),
      deleted: mine.filter((c) => c.status === 'deleted').reduce((n, c) => n + (c._sum.n ?? 0), 0),
      defaultEnvironment: sourceEnvironmentOf(parseSourceConfig(s.config)),
      unknownEnvironment: mine.filter((c) => c.status !== 'deleted' && c.environment === 'unknown').reduce((n, c) => n + (c._sum.n ?? 0), 0),
      activeJob: job ? { id: job.id, type: job.type, status: job.status, progress: job.progress, total: job.total } : null,
    }
  })
}

export async function getSourceOrThrow(ctx: UserCtx, sourceId: string) {
  assertCan(ctx, 'source:read')
  const s = await db.source.findFirst({ where: { id: sourceId, orgId: ctx.org.id } })
  if (!s) throw new NotFoundError('Source not found')
  return s
}

export type ImportJobStatus = {
  id: string
  status: string
  progress: number
  total: number
  lastError: string | null
  result: Record<string, unknown> | null
  finishedAt: string | null
}

/** An import, preview or sync job of this organization (another org's id reads as missing). */
export async function getSourceJob(ctx: UserCtx, jobId: string): Promise<ImportJobStatus> {
  assertCan(ctx, 'source:read')
  const j = await db.job.findFirst({ where: { id: jobId, orgId: ctx.org.id, type: { in: FILE_JOBS } } })
  if (!j) throw new NotFoundError('Job not found')
  // A preview holds rows of a file not imported yet: only those who may import see it.
  if (j.type === 'preview_import') assertCan(ctx, 'source:manage')
  let result: Record<string, unknown> | null = null
  try {
    result = j.result ? JSON.parse(j.result) : null
  } catch {}
  return { id: j.id, status: j.status, progress: j.progress, total: j.total, lastError: j.lastError, result, finishedAt: j.finishedAt?.toISOString() ?? null }
}
