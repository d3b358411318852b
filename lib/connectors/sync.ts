import 'server-only'
import { createHash } from 'node:crypto'
import type { ActorRef } from '@/lib/auth/org-context'
import { recordAudit } from '@/lib/audit/record'
import { CUSTODIAN_CREDENTIAL_KINDS, CUSTODIAN_TOKEN_EXTERNAL_PREFIX } from '@/lib/inventory/schemas'
import type {
  DiscoveredCredential,
  DiscoveredEntitlement,
  DiscoveredGrant,
  DiscoveredIdentity,
  DiscoveredResource,
  DiscoveryError,
  DiscoveryPage,
  DiscoverySkip,
} from '@/lib/connectors/types'
import { db, type Tx } from '@/lib/db'
import { env } from '@/lib/env'
import { NotFoundError } from '@/lib/errors'
import { parseSourceConfig } from '@/lib/connectors/registry'
import { rollupIdentities } from '@/lib/inventory/rollup'
import { sourceEnvironmentOf } from '@/lib/sources/schemas'
import { insertRows, newId, queryIn, type Columns } from '@/lib/sql/bulk'
import { largeWrite } from '@/lib/sql/checkpoints'
import { beginWrite, prismaSql } from '@/lib/sql/prisma'
import { inChunks, sql } from '@/lib/sql/sql'
import { analyzedRows, refreshStatistics, statisticsStale } from '@/lib/sql/statistics'
import { queueStatisticsRefresh } from '@/lib/jobs/statistics'

// The sync engine: turns what a connector discovered into a diff against the inventory (new, changed,
// gone) and applies it in transactions of at most TX_RECORDS records. Identities that disappear from a
// full sync are marked deleted (history stays); credentials and grants that disappear are marked revoked.

export const BATCH = 5_000
/**
 * Records per transaction: an import's whole page (4,000 rows of identity, credential and grant) is one. Each
 * transaction rewrites most leaf pages of Identity's 21 indexes whatever its size (new rows land all over them), so
 * three transactions of 5,000 records per page wrote those pages three times: 100,000 rows 34–39 s → 29 s.
 * Statements stay at ROWS_PER_STATEMENT rows each.
 */
const TX_RECORDS = 20_000
const TX = { timeout: 30 * 60_000, maxWait: 60_000 }
const MAX_ERROR_SAMPLES = 200

export type SyncMode = 'full' | 'partial'
export type SyncProgress = { processed: number; added: number; changed: number; errors: number }
export type SyncOptions = {
  mode: SyncMode
  /** one malformed record (or any failure) and nothing changes: the whole sync runs in one transaction */
  allOrNothing?: boolean
  onProgress?: (p: SyncProgress) => void | Promise<void>
  /** extra audit details (e.g. the import's file name) */
  details?: Record<string, unknown>
  /** runs in the final transaction (e.g. to enqueue a findings recompute), with what the sync did */
  onCommit?: (tx: Tx, result: SyncResult) => Promise<void>
  /**
   * Stale planner statistics afterwards: refreshed before applyDiscovery returns (`now`, the default: a job) or by a
   * queued job (`queue`: a web request, which must not run ANALYZE)
   */
  statistics?: 'now' | 'queue'
}
type Counts = { added: number; changed: number; gone: number }
export type SyncResult = Counts & {
  /** false when all-or-nothing rolled everything back */
  applied: boolean
  errors: number
  errorSamples: DiscoveryError[]
  unchanged: number
  credentials: Counts
  grants: Counts
  /** a full sync with unreadable records does not mark anything gone (it cannot tell gone from unreadable) */
  goneSkipped: boolean
  /** records the source lists that are not NHIs (people), left out */
  skipped: number
  skippedSamples: DiscoverySkip[]
  /** identities whose owner e-mail is not an active member: imported without that owner */
  ownersUnmatched: number
  ownersUnmatchedSamples: string[]
}

class RolledBack extends Error {}

export function fingerprintOf(raw: string): string {
  if (/^[0-9a-f]{64}$/.test(raw)) return raw
  return createHash('sha256').update(`${env().secretSalt}:${raw}`).digest('hex')
}

/** Who the audit rows of a sync name: the person who asked for it, or the system (a schedule, a job). */
export type SyncCtx = { org: { id: string }; actor: ActorRef }

export async function applyDiscovery(ctx: SyncCtx, sourceId: string, pages: AsyncIterable<DiscoveryPage>, opts: SyncOptions): Promise<SyncResult> {
  // A large sync touches many index pages at random (21 Identity indexes): the driver's 16 MiB page cache
  // turns that into disk reads. 128 MiB while syncs run, given back after (the connection is the whole process's).
  // In the job worker its WAL checkpoints run on a thread of their own (lib/sql/checkpoints.ts).
  const result = await largeWrite(128, () => sync(ctx, sourceId, pages, opts))
  await refreshStatisticsAfter(ctx, result, opts.statistics ?? 'now')
  return result
}

/** The tables whose rows a sync counts as changed. */
const SYNCED_TABLES = ['Identity', 'Grant', 'Credential']

/**
 * A sync or import that changed many rows leaves the planner statistics stale: refresh them now, not at night — in the
 * job that ran it, or (`queue`, a web request) by the worker right after.
 */
async function refreshStatisticsAfter(ctx: SyncCtx, r: SyncResult, how: 'now' | 'queue') {
  if (!r.applied) return
  const changed =
    r.added + r.changed + r.gone + r.credentials.added + r.credentials.changed + r.credentials.gone + r.grants.added + r.grants.changed + r.grants.gone
  if (!changed) return
  if (!statisticsStale(changed, await analyzedRows(prismaSql(), SYNCED_TABLES))) return
  if (how === 'queue') return queueStatisticsRefresh(ctx.org.id, `${changed} rows changed`)
  const { ms } = await refreshStatistics(prismaSql())
  console.log(`sync: planner statistics refreshed after ${changed} changed rows in ${ms} ms`)
}

async function sync(ctx: SyncCtx, sourceId: string, pages: AsyncIterable<DiscoveryPage>, opts: SyncOptions): Promise<SyncResult> {
  const orgId = ctx.org.id
  const source = await db.source.findFirst({ where: { id: sourceId, orgId }, select: { id: true, name: true, config: true } })
  if (!source) throw new NotFoundError('Source not found')
  const s = new SyncRun(orgId, sourceId, opts, sourceEnvironmentOf(parseSourceConfig(source.config)))
  await s.prepare()
  const finish = async (tx: Tx) => {
    await tx.source.update({
      where: { id: sourceId, orgId },
      data: {
        lastSyncAt: new Date(),
        lastSyncStatus: s.result.errors ? 'partial' : 'succeeded',
        lastSyncError: s.result.errors ? `${s.result.errors} record${s.result.errors === 1 ? '' : 's'} could not be read` : null,
        status: 'active',
      },
    })
    await recordAudit(tx, ctx, {
      action: 'source.sync',
      targetType: 'source',
      targetId: sourceId,
      targetLabel: source.name,
      details: { ...opts.details, mode: opts.mode, allOrNothing: !!opts.allOrNothing, ...syncCounts(s.result) },
    })
    await opts.onCommit?.(tx, s.result)
  }
  try {
    if (opts.allOrNothing) {
      await db.$transaction(async (tx) => {
        await beginWrite(tx)
        await s.run(pages, (fn) => fn(tx))
        if (s.result.errors) throw new RolledBack()
        await finish(tx)
      }, TX)
    } else {
      // Each batch commits on its own, so each carries its own audit row: no change is ever committed unaudited,
      // even when a later batch fails and the final source.sync row is never written.
      let batch = 0
      await s.run(pages, (fn) =>
        db.$transaction(async (tx) => {
          await beginWrite(tx)
          const before = syncCounts(s.result)
          const out = await fn(tx)
          const after = syncCounts(s.result)
          await recordAudit(tx, ctx, {
            action: 'source.sync-batch',
            targetType: 'source',
            targetId: sourceId,
            targetLabel: source.name,
            details: { ...opts.details, mode: opts.mode, batch: ++batch, ...delta(before, after) },
          })
          return out
        }, TX),
      )
      await db.$transaction(finish, TX)
    }
    return s.result
  } catch (err) {
    const rolledBack = err instanceof RolledBack
    const reason = rolledBack
      ? `${s.result.errors} record${s.result.errors === 1 ? '' : 's'} could not be read; nothing was changed (all-or-nothing)`
      : err instanceof Error
        ? err.message
        : String(err)
    await recordSyncFailure(ctx, sourceId, source.name, reason, opts, rolledBack ? { errors: s.result.errors } : {})
    if (rolledBack) return { ...s.result, applied: false, added: 0, changed: 0, gone: 0, credentials: zero(), grants: zero() }
    throw err
  }
}

/** A failed sync changes no identity; the source shows why, and the attempt is audited. */
export async function recordSyncFailure(
  ctx: SyncCtx,
  sourceId: string,
  sourceName: string,
  reason: string,
  opts: Pick<SyncOptions, 'details' | 'mode'>,
  extra: Record<string, unknown> = {},
) {
  const orgId = ctx.org.id
  await db.$transaction(async (tx) => {
    await tx.source.updateMany({
      where: { id: sourceId, orgId },
      data: { lastSyncAt: new Date(), lastSyncStatus: 'failed', lastSyncError: reason.slice(0, 1000) },
    })
    await recordAudit(tx, ctx, {
      action: 'source.sync',
      targetType: 'source',
      targetId: sourceId,
      targetLabel: sourceName,
      outcome: 'failure',
      details: { ...opts.details, mode: opts.mode, reason: reason.slice(0, 500), ...extra },
    })
  })
}

const zero = (): Counts => ({ added: 0, changed: 0, gone: 0 })
const minus = (a: Counts, b: Counts): Counts => ({ added: a.added - b.added, changed: a.changed - b.changed, gone: a.gone - b.gone })
/** What one batch changed: the difference of the running totals around it. */
function delta(before: ReturnType<typeof syncCounts>, after: ReturnType<typeof syncCounts>) {
  return {
    identities: minus(after, before),
    credentials: minus(after.credentials, before.credentials),
    grants: minus(after.grants, before.grants),
  }
}
/** A sync's counts without the samples: what its audit row and the job's result carry. */
export function syncCounts(r: SyncResult) {
  return {
    added: r.added,
    changed: r.changed,
    gone: r.gone,
    unchanged: r.unchanged,
    errors: r.errors,
    credentials: r.credentials,
    grants: r.grants,
    goneSkipped: r.goneSkipped,
    skipped: r.skipped,
    ownersUnmatched: r.ownersUnmatched,
  }
}

type InTx = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>
type ExistingIdentity = {
  id: string
  externalId: string
  name: string
  kind: string
  environment: string
  status: string
  description: string | null
  createdAt: Date
  lastUsedAt: Date | null
  usageReported: boolean | number
  metadata: string
  ownerId: string | null
  ownerOrigin: string | null
}

const IDENTITY_COLUMNS: Columns = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['sourceId', 'text'],
  ['externalId', 'text'],
  ['name', 'text'],
  ['searchText', 'text'],
  ['kind', 'text'],
  ['environment', 'text'],
  ['status', 'text'],
  ['description', 'text'],
  ['createdAt', 'date'],
  ['lastUsedAt', 'date'],
  ['discoveredAt', 'date'],
  ['updatedAt', 'date'],
  ['ownerId', 'text'],
  ['ownerOrigin', 'text'],
  ['ownerAssignedAt', 'date'],
  ['metadata', 'text'],
  ['usageReported', 'bool'],
  // the rollup columns (rollupIdentities), last: rollupNew fills them by position
  ['privileged', 'bool'],
  ['grantCount', 'int'],
  ['credentialCount', 'int'],
  ['oldestSecretAt', 'date'],
]
const CREDENTIAL_COLUMNS: Columns = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['identityId', 'text'],
  ['externalId', 'text'],
  ['kind', 'text'],
  ['label', 'text'],
  ['fingerprint', 'text'],
  ['createdAt', 'date'],
  ['lastRotatedAt', 'date'],
  ['expiresAt', 'date'],
  ['lastUsedAt', 'date'],
  ['status', 'text'],
  ['usageReported', 'bool'],
]
const GRANT_COLUMNS: Columns = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['identityId', 'text'],
  ['entitlementId', 'text'],
  ['privileged', 'bool'],
  ['createdAt', 'date'],
  ['lastUsedAt', 'date'],
  ['status', 'text'],
  ['usageReported', 'bool'],
]
const TAG_COLUMNS: Columns = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['identityId', 'text'],
  ['key', 'text'],
  ['value', 'text'],
]

const col = (columns: Columns, name: string) => columns.findIndex(([c]) => c === name)
const CRED = {
  identityId: col(CREDENTIAL_COLUMNS, 'identityId'),
  kind: col(CREDENTIAL_COLUMNS, 'kind'),
  status: col(CREDENTIAL_COLUMNS, 'status'),
  createdAt: col(CREDENTIAL_COLUMNS, 'createdAt'),
  lastRotatedAt: col(CREDENTIAL_COLUMNS, 'lastRotatedAt'),
}
const GRANT = { identityId: col(GRANT_COLUMNS, 'identityId'), privileged: col(GRANT_COLUMNS, 'privileged'), status: col(GRANT_COLUMNS, 'status') }
const ROLLUP = {
  privileged: col(IDENTITY_COLUMNS, 'privileged'),
  grantCount: col(IDENTITY_COLUMNS, 'grantCount'),
  credentialCount: col(IDENTITY_COLUMNS, 'credentialCount'),
  oldestSecretAt: col(IDENTITY_COLUMNS, 'oldestSecretAt'),
}

/**
 * The rollup columns of identities that are new in this transaction, from the credential and grant rows inserted with
 * them (all they can have): the same rules as rollupIdentities' UPDATE, which stays the one for existing identities.
 */
function rollupNew(identities: Map<string, unknown[]>, credentials: unknown[][], grants: unknown[][]) {
  if (!identities.size) return
  for (const c of credentials) {
    const row = identities.get(c[CRED.identityId] as string)
    if (!row) continue
    if (c[CRED.status] !== 'revoked') (row[ROLLUP.credentialCount] as number)++
    if (c[CRED.status] !== 'active' || CUSTODIAN_CREDENTIAL_KINDS.includes(c[CRED.kind] as string)) continue
    const secretAt = (c[CRED.lastRotatedAt] ?? c[CRED.createdAt]) as Date
    const oldest = row[ROLLUP.oldestSecretAt] as Date | null
    if (!oldest || secretAt.getTime() < oldest.getTime()) row[ROLLUP.oldestSecretAt] = secretAt
  }
  for (const g of grants) {
    const row = identities.get(g[GRANT.identityId] as string)
    if (!row || g[GRANT.status] !== 'active') continue
    ;(row[ROLLUP.grantCount] as number)++
    if (g[GRANT.privileged]) row[ROLLUP.privileged] = true
  }
}

const same = (a: Date | null | undefined, b: Date | null | undefined) => (a?.getTime() ?? null) === (b?.getTime() ?? null)

/**
 * Whether usage is reported, after this record: a record with a last-used value (a date, or null for never) reports it;
 * one without leaves usage unknown, unless an earlier record already gave a date (that knowledge is kept).
 */
function usageAfter(lastUsedAt: Date | null | undefined, old: { usageReported: boolean | number; lastUsedAt: Date | null }): boolean {
  if (lastUsedAt !== undefined) return true
  return Boolean(old.usageReported) && old.lastUsedAt !== null
}

class SyncRun {
  result: SyncResult = {
    applied: true,
    added: 0,
    changed: 0,
    gone: 0,
    unchanged: 0,
    errors: 0,
    errorSamples: [],
    credentials: zero(),
    grants: zero(),
    goneSkipped: false,
    skipped: 0,
    skippedSamples: [],
    ownersUnmatched: 0,
    ownersUnmatchedSamples: [],
  }
  private started = new Date()
  private processed = 0
  /** false on a source's first sync: nothing can be gone, so nothing is tracked */
  private track = true
  private seenIdentities = new Set<string>()
  private seenCredentials = new Set<string>()
  private seenGrants = new Set<string>()
  private members = new Map<string, string>()
  private resources = new Map<string, string>()
  private entitlements = new Map<string, { id: string; privileged: boolean }>()

  constructor(
    private orgId: string,
    private sourceId: string,
    private opts: SyncOptions,
    /** the source's environment for identities the source does not label (Source.config.defaultEnvironment) */
    private defaultEnvironment: string | null = null,
  ) {}

  async prepare() {
    const [any, members, resources, entitlements] = await Promise.all([
      db.identity.findFirst({ where: { sourceId: this.sourceId }, select: { id: true } }),
      db.membership.findMany({
        where: { orgId: this.orgId, status: 'active', user: { active: true } },
        select: { userId: true, user: { select: { email: true } } },
      }),
      db.resource.findMany({ where: { sourceId: this.sourceId }, select: { id: true, externalId: true } }),
      db.entitlement.findMany({
        where: { sourceId: this.sourceId },
        select: { id: true, externalId: true, privileged: true, resource: { select: { externalId: true } } },
      }),
    ])
    this.track = any !== null && this.opts.mode === 'full'
    for (const m of members) this.members.set(m.user.email.toLowerCase(), m.userId)
    for (const r of resources) this.resources.set(r.externalId, r.id)
    for (const e of entitlements) this.entitlements.set(`${e.resource.externalId}\u0000${e.externalId}`, { id: e.id, privileged: e.privileged })
  }

  async run(pages: AsyncIterable<DiscoveryPage>, inTx: InTx) {
    for await (const page of pages) {
      for (const e of page.errors ?? []) {
        this.result.errors++
        if (this.result.errorSamples.length < MAX_ERROR_SAMPLES) this.result.errorSamples.push(e)
      }
      for (const k of page.skipped ?? []) {
        this.result.skipped++
        if (this.result.skippedSamples.length < MAX_ERROR_SAMPLES) this.result.skippedSamples.push(k)
      }
      for (const part of split(page)) {
        await inTx((tx) => this.applyPart(tx, part))
        this.processed += (part.identities?.length ?? 0) + (part.credentials?.length ?? 0) + (part.grants?.length ?? 0)
      }
      await this.opts.onProgress?.({ processed: this.processed, added: this.result.added, changed: this.result.changed, errors: this.result.errors })
    }
    if (this.opts.mode === 'full' && this.track) {
      if (this.result.errors) this.result.goneSkipped = true
      else await this.markGone(inTx)
    }
  }

  private error(e: DiscoveryError) {
    this.result.errors++
    if (this.result.errorSamples.length < MAX_ERROR_SAMPLES) this.result.errorSamples.push(e)
  }

  private async applyPart(tx: Tx, part: DiscoveryPage) {
    await this.applyResources(tx, part.resources ?? [], part.entitlements ?? [])
    const touched = new Set<string>()
    const { ids, inserts: newIdentities, tags } = await this.applyIdentities(tx, part.identities ?? [])
    const need = new Set<string>()
    for (const c of part.credentials ?? []) if (!ids.has(c.identityExternalId)) need.add(c.identityExternalId)
    for (const g of part.grants ?? []) if (!ids.has(g.identityExternalId)) need.add(g.identityExternalId)
    if (need.size) {
      const rows = await queryIn<{ id: string; externalId: string }>(
        prismaSql(tx),
        [...need],
        (isIn) => sql`SELECT "id", "externalId" FROM "Identity" WHERE "sourceId" = ${this.sourceId} AND "externalId" ${isIn}`,
      )
      for (const r of rows) ids.set(r.externalId, r.id)
    }
    const credentials = await this.applyCredentials(tx, part.credentials ?? [], ids, touched)
    const grants = await this.applyGrants(tx, part.grants ?? [], ids, touched)
    // A new identity is written with its rollup columns already counted from the rows inserted beside it: the rollup
    // UPDATE would rewrite each new row and its index entries a second time in the same transaction (100,000 rows:
    // 29 → 23.5 s). Identities that existed before get the UPDATE, which counts what the database has.
    rollupNew(newIdentities, credentials, grants)
    await insertRows(prismaSql(tx), 'Identity', IDENTITY_COLUMNS, [...newIdentities.values()])
    await this.applyTags(tx, tags)
    await insertRows(prismaSql(tx), 'Credential', CREDENTIAL_COLUMNS, credentials)
    await insertRows(prismaSql(tx), 'Grant', GRANT_COLUMNS, grants)
    await rollupIdentities(
      prismaSql(tx),
      [...touched].filter((id) => !newIdentities.has(id)),
    )
  }

  private async applyResources(tx: Tx, resources: DiscoveredResource[], entitlements: DiscoveredEntitlement[]) {
    const newResources: unknown[][] = []
    for (const r of resources) {
      if (this.resources.has(r.externalId)) continue
      const id = newId()
      this.resources.set(r.externalId, id)
      newResources.push([id, this.orgId, this.sourceId, r.externalId, r.name, r.type, r.environment ?? 'unknown', new Date()])
    }
    await insertRows(
      prismaSql(tx),
      'Resource',
      [
        ['id', 'text'],
        ['orgId', 'text'],
        ['sourceId', 'text'],
        ['externalId', 'text'],
        ['name', 'text'],
        ['type', 'text'],
        ['environment', 'text'],
        ['createdAt', 'date'],
      ],
      newResources,
    )
    const newEntitlements: unknown[][] = []
    for (const e of entitlements) {
      const key = `${e.resourceExternalId}\u0000${e.externalId}`
      const resourceId = this.resources.get(e.resourceExternalId)
      if (!resourceId) {
        this.error({ ref: e.externalId, message: `entitlement "${e.name}" names a resource that was not discovered (${e.resourceExternalId})` })
        continue
      }
      const known = this.entitlements.get(key)
      if (known) {
        if (known.privileged !== e.privileged) {
          await tx.entitlement.update({ where: { id: known.id, orgId: this.orgId }, data: { privileged: e.privileged } })
          // The entitlement's own id: the update above proved it is this organization's, and an orgId term would steer SQLite off its index.
          await tx.grant.updateMany({ where: { entitlementId: known.id }, data: { privileged: e.privileged } })
          known.privileged = e.privileged
        }
        continue
      }
      const id = newId()
      this.entitlements.set(key, { id, privileged: e.privileged })
      newEntitlements.push([id, this.orgId, this.sourceId, resourceId, e.externalId, e.name, e.description ?? null, e.privileged, new Date()])
    }
    await insertRows(
      prismaSql(tx),
      'Entitlement',
      [
        ['id', 'text'],
        ['orgId', 'text'],
        ['sourceId', 'text'],
        ['resourceId', 'text'],
        ['externalId', 'text'],
        ['name', 'text'],
        ['description', 'text'],
        ['privileged', 'bool'],
        ['createdAt', 'date'],
      ],
      newEntitlements,
    )
  }

  /**
   * Updates the identities that changed; the new ones come back as rows to insert (by id, in IDENTITY_COLUMNS order,
   * rollup columns zero) with their tags, which go in after them.
   */
  private async applyIdentities(tx: Tx, list: DiscoveredIdentity[]) {
    const ids = new Map<string, string>()
    const inserts = new Map<string, unknown[]>()
    const tags: { identityId: string; tags: Record<string, string> }[] = []
    if (!list.length) return { ids, inserts, tags }
    const byExt = new Map<string, DiscoveredIdentity>()
    // A repeated external id merges into the first (what the later record leaves out stays); most occur once, kept as they are.
    for (const d of list) {
      const seen = byExt.get(d.externalId)
      byExt.set(d.externalId, seen ? ({ ...seen, ...stripUndefined(d) } as DiscoveredIdentity) : d)
    }
    const existing = new Map<string, ExistingIdentity>()
    const rows = await queryIn<ExistingIdentity>(
      prismaSql(tx),
      [...byExt.keys()],
      (
        isIn,
      ) => sql`SELECT "id", "externalId", "name", "kind", "environment", "status", "description", "createdAt", "lastUsedAt", "usageReported", "metadata", "ownerId", "ownerOrigin"
       FROM "Identity" WHERE "sourceId" = ${this.sourceId} AND "externalId" ${isIn}`,
    )
    for (const r of rows) existing.set(r.externalId, r)
    const now = new Date()
    for (const d of byExt.values()) {
      const ownerId = d.ownerEmail ? (this.members.get(d.ownerEmail.toLowerCase()) ?? null) : null
      if (d.ownerEmail && !ownerId) {
        this.result.ownersUnmatched++
        const email = d.ownerEmail.toLowerCase()
        if (this.result.ownersUnmatchedSamples.length < 20 && !this.result.ownersUnmatchedSamples.includes(email))
          this.result.ownersUnmatchedSamples.push(email)
      }
      const metadata = d.metadata ? JSON.stringify(d.metadata) : undefined
      // What the source does not label takes the source's environment setting, when it has one.
      const environment = (!d.environment || d.environment === 'unknown') && this.defaultEnvironment ? this.defaultEnvironment : d.environment
      const old = existing.get(d.externalId)
      if (this.track) this.seenIdentities.add(d.externalId)
      if (!old) {
        const id = newId()
        ids.set(d.externalId, id)
        inserts.set(id, [
          id,
          this.orgId,
          this.sourceId,
          d.externalId,
          d.name,
          `${d.name} ${d.externalId}`.toLowerCase(),
          d.kind,
          environment ?? 'unknown',
          d.status ?? 'active',
          d.description ?? null,
          d.createdAt ?? now,
          d.lastUsedAt ?? null,
          now,
          now,
          ownerId,
          ownerId ? 'source' : null,
          ownerId ? now : null,
          metadata ?? '{}',
          d.lastUsedAt !== undefined,
          false,
          0,
          0,
          null,
        ])
        if (d.tags) tags.push({ identityId: id, tags: d.tags })
        this.result.added++
        continue
      }
      ids.set(d.externalId, old.id)
      const patch: Record<string, unknown> = {}
      if (d.name !== old.name) Object.assign(patch, { name: d.name, searchText: `${d.name} ${d.externalId}`.toLowerCase() })
      if (d.kind !== old.kind) patch.kind = d.kind
      if (environment && environment !== old.environment) patch.environment = environment
      // A reappearing identity comes back; a local quarantine stays until the source itself disables it.
      const status = old.status === 'quarantined' && d.status !== 'disabled' ? old.status : (d.status ?? 'active')
      if (status !== old.status) patch.status = status
      if (d.description !== undefined && (d.description ?? null) !== old.description) patch.description = d.description ?? null
      if (d.createdAt && !same(d.createdAt, old.createdAt)) patch.createdAt = d.createdAt
      if (d.lastUsedAt && !same(d.lastUsedAt, old.lastUsedAt)) patch.lastUsedAt = d.lastUsedAt
      const usageReported = usageAfter(d.lastUsedAt, old)
      if (usageReported !== Boolean(old.usageReported)) patch.usageReported = usageReported
      if (metadata !== undefined && metadata !== old.metadata) patch.metadata = metadata
      // The source's owner applies unless a person assigned one in Custodian.
      if (ownerId && ownerId !== old.ownerId && (old.ownerId === null || old.ownerOrigin === 'source'))
        Object.assign(patch, { ownerId, ownerOrigin: 'source', ownerAssignedAt: now })
      if (d.tags) tags.push({ identityId: old.id, tags: d.tags })
      if (Object.keys(patch).length) {
        await tx.identity.update({ where: { id: old.id, orgId: this.orgId }, data: patch })
        this.result.changed++
      } else this.result.unchanged++
    }
    return { ids, inserts, tags }
  }

  private async applyTags(tx: Tx, list: { identityId: string; tags: Record<string, string> }[]) {
    if (!list.length) return
    const existing = new Map<string, { id: string; value: string }>()
    const rows = await queryIn<{ id: string; identityId: string; key: string; value: string }>(
      prismaSql(tx),
      list.map((t) => t.identityId),
      (isIn) => sql`SELECT "id", "identityId", "key", "value" FROM "IdentityTag" WHERE "identityId" ${isIn}`,
    )
    for (const t of rows) existing.set(`${t.identityId}\u0000${t.key}`, t)
    const inserts: unknown[][] = []
    for (const { identityId, tags } of list) {
      for (const [key, val] of Object.entries(tags)) {
        const k = `${identityId}\u0000${key}`
        const old = existing.get(k)
        if (!old) {
          inserts.push([newId(), this.orgId, identityId, key, val])
          existing.set(k, { id: '', value: val })
        } else if (old.value !== val && old.id) await tx.identityTag.update({ where: { id: old.id, orgId: this.orgId }, data: { value: val } })
      }
    }
    await insertRows(prismaSql(tx), 'IdentityTag', TAG_COLUMNS, inserts)
  }

  /** Updates the credentials that changed; returns the new ones as rows to insert (CREDENTIAL_COLUMNS order). */
  private async applyCredentials(tx: Tx, list: DiscoveredCredential[], ids: Map<string, string>, touched: Set<string>): Promise<unknown[][]> {
    if (!list.length) return []
    const wanted = new Map<string, { identityId: string; c: DiscoveredCredential }>()
    for (const c of list) {
      const identityId = ids.get(c.identityExternalId)
      if (!identityId) {
        this.error({
          ref: c.externalId,
          message: `credential "${c.label ?? c.externalId}" belongs to identity "${c.identityExternalId}", which is not in this source`,
        })
        continue
      }
      wanted.set(`${identityId}\u0000${c.externalId}`, { identityId, c })
    }
    type Old = {
      id: string
      kind: string
      label: string | null
      fingerprint: string
      createdAt: Date
      lastRotatedAt: Date | null
      expiresAt: Date | null
      lastUsedAt: Date | null
      usageReported: boolean | number
      status: string
    }
    const existing = new Map<string, Old>()
    // The identity ids were resolved within this source (so this organization); filtering by orgId as well
    // would steer SQLite onto an orgId index and scan the whole organization.
    const rows = await queryIn<Old & { identityId: string; externalId: string | null }>(
      prismaSql(tx),
      [...new Set([...wanted.values()].map((w) => w.identityId))],
      (
        isIn,
      ) => sql`SELECT "id", "identityId", "externalId", "kind", "label", "fingerprint", "createdAt", "lastRotatedAt", "expiresAt", "lastUsedAt", "usageReported", "status"
       FROM "Credential" WHERE "identityId" ${isIn}`,
    )
    for (const r of rows) if (r.externalId !== null) existing.set(`${r.identityId}\u0000${r.externalId}`, r)
    const now = new Date()
    const inserts: unknown[][] = []
    for (const [key, { identityId, c }] of wanted) {
      const old = existing.get(key)
      const fingerprint = fingerprintOf(c.fingerprint)
      const status = c.status ?? 'active'
      if (!old) {
        const id = newId()
        if (this.track) this.seenCredentials.add(id)
        inserts.push([
          id,
          this.orgId,
          identityId,
          c.externalId,
          c.kind,
          c.label ?? null,
          fingerprint,
          c.createdAt ?? now,
          c.lastRotatedAt ?? null,
          c.expiresAt ?? null,
          c.lastUsedAt ?? null,
          status,
          c.lastUsedAt !== undefined,
        ])
        touched.add(identityId)
        this.result.credentials.added++
        continue
      }
      if (this.track) this.seenCredentials.add(old.id)
      const patch: Record<string, unknown> = {}
      if (c.kind !== old.kind) patch.kind = c.kind
      if (c.label !== undefined && (c.label ?? null) !== old.label) patch.label = c.label ?? null
      if (fingerprint !== old.fingerprint) patch.fingerprint = fingerprint
      if (c.createdAt && !same(c.createdAt, old.createdAt)) patch.createdAt = c.createdAt
      if (c.lastRotatedAt !== undefined && !same(c.lastRotatedAt, old.lastRotatedAt)) patch.lastRotatedAt = c.lastRotatedAt
      if (c.expiresAt !== undefined && !same(c.expiresAt, old.expiresAt)) patch.expiresAt = c.expiresAt
      if (c.lastUsedAt && !same(c.lastUsedAt, old.lastUsedAt)) patch.lastUsedAt = c.lastUsedAt
      const usageReported = usageAfter(c.lastUsedAt, old)
      if (usageReported !== Boolean(old.usageReported)) patch.usageReported = usageReported
      if (status !== old.status) patch.status = status
      if (Object.keys(patch).length) {
        await tx.credential.update({ where: { id: old.id, orgId: this.orgId }, data: patch })
        touched.add(identityId)
        this.result.credentials.changed++
      }
    }
    return inserts
  }

  /** Updates the grants that changed; returns the new ones as rows to insert (GRANT_COLUMNS order). */
  private async applyGrants(tx: Tx, list: DiscoveredGrant[], ids: Map<string, string>, touched: Set<string>): Promise<unknown[][]> {
    if (!list.length) return []
    const wanted = new Map<string, { identityId: string; ent: { id: string; privileged: boolean }; g: DiscoveredGrant }>()
    for (const g of list) {
      const identityId = ids.get(g.identityExternalId)
      const ent = this.entitlements.get(`${g.resourceExternalId}\u0000${g.entitlementExternalId}`)
      if (!identityId) {
        this.error({
          ref: g.entitlementExternalId,
          message: `grant of "${g.entitlementExternalId}" belongs to identity "${g.identityExternalId}", which is not in this source`,
        })
        continue
      }
      if (!ent) {
        this.error({
          ref: g.entitlementExternalId,
          message: `grant to "${g.identityExternalId}" names an entitlement that was not discovered (${g.resourceExternalId} / ${g.entitlementExternalId})`,
        })
        continue
      }
      wanted.set(`${identityId}\u0000${ent.id}`, { identityId, ent, g })
    }
    const existing = new Map<string, { id: string; status: string; lastUsedAt: Date | null; usageReported: boolean | number; privileged: boolean }>()
    const rows = await queryIn<{
      id: string
      identityId: string
      entitlementId: string
      status: string
      lastUsedAt: Date | null
      usageReported: boolean | number
      privileged: boolean | number
    }>(
      prismaSql(tx),
      [...new Set([...wanted.values()].map((w) => w.identityId))],
      (isIn) => sql`SELECT "id", "identityId", "entitlementId", "status", "lastUsedAt", "usageReported", "privileged" FROM "Grant" WHERE "identityId" ${isIn}`,
    )
    for (const r of rows) existing.set(`${r.identityId}\u0000${r.entitlementId}`, { ...r, privileged: Boolean(r.privileged) })
    const now = new Date()
    const inserts: unknown[][] = []
    for (const [key, { identityId, ent, g }] of wanted) {
      const old = existing.get(key)
      if (!old) {
        const id = newId()
        if (this.track) this.seenGrants.add(id)
        inserts.push([id, this.orgId, identityId, ent.id, ent.privileged, g.createdAt ?? now, g.lastUsedAt ?? null, 'active', g.lastUsedAt !== undefined])
        touched.add(identityId)
        this.result.grants.added++
        continue
      }
      if (this.track) this.seenGrants.add(old.id)
      const patch: Record<string, unknown> = {}
      if (old.status !== 'active') Object.assign(patch, { status: 'active', revokedAt: null })
      if (g.lastUsedAt && !same(g.lastUsedAt, old.lastUsedAt)) patch.lastUsedAt = g.lastUsedAt
      const usageReported = usageAfter(g.lastUsedAt, old)
      if (usageReported !== Boolean(old.usageReported)) patch.usageReported = usageReported
      if (old.privileged !== ent.privileged) patch.privileged = ent.privileged
      if (Object.keys(patch).length) {
        await tx.grant.update({ where: { id: old.id, orgId: this.orgId }, data: patch })
        touched.add(identityId)
        this.result.grants.changed++
      }
    }
    return inserts
  }

  /** Full sync only: what the source no longer has is marked (identities deleted, credentials and grants revoked), never erased. */
  private async markGone(inTx: InTx) {
    const now = new Date()
    const affected = new Set<string>()
    let cursor: string | undefined
    for (;;) {
      const after = cursor
      const rows = await inTx((tx) =>
        tx.identity.findMany({
          where: { sourceId: this.sourceId, status: { not: 'deleted' }, discoveredAt: { lt: this.started }, ...(after ? { id: { gt: after } } : {}) },
          select: { id: true, externalId: true },
          orderBy: { id: 'asc' },
          take: BATCH,
        }),
      )
      if (!rows.length) break
      cursor = rows[rows.length - 1].id
      const gone = rows.filter((r) => !this.seenIdentities.has(r.externalId)).map((r) => r.id)
      if (gone.length) {
        await inTx((tx) => tx.identity.updateMany({ where: { id: { in: gone }, orgId: this.orgId }, data: { status: 'deleted' } }))
        this.result.gone += gone.length
      }
    }
    this.result.credentials.gone = await this.sweep('credential', this.seenCredentials, inTx, affected, now)
    this.result.grants.gone = await this.sweep('grant', this.seenGrants, inTx, affected, now)
    await inChunks([...affected], BATCH, (chunk) => inTx((tx) => rollupIdentities(prismaSql(tx), chunk)))
  }

  private async sweep(what: 'credential' | 'grant', seen: Set<string>, inTx: InTx, affected: Set<string>, now: Date): Promise<number> {
    let cursor: string | undefined
    let n = 0
    for (;;) {
      const page = { select: { id: true, identityId: true }, orderBy: { id: 'asc' as const }, take: BATCH }
      const after = cursor ? { id: { gt: cursor } } : {}
      const rows = await inTx((tx) =>
        what === 'credential'
          ? // Credentials Custodian itself issues (federated, ephemeral) or mirrors (a gateway token of this identity,
            // externalId `api-token:…`) are not the source's to sweep.
            tx.credential.findMany({
              where: {
                orgId: this.orgId,
                status: { not: 'revoked' },
                kind: { notIn: CUSTODIAN_CREDENTIAL_KINDS },
                identity: { sourceId: this.sourceId },
                OR: [{ externalId: null }, { NOT: { externalId: { startsWith: CUSTODIAN_TOKEN_EXTERNAL_PREFIX } } }],
                ...after,
              },
              ...page,
            })
          : // Only grants of this source's entitlements: a gateway rule's grant on this identity belongs to the gateway.
            tx.grant.findMany({
              where: { orgId: this.orgId, status: 'active', identity: { sourceId: this.sourceId }, entitlement: { sourceId: this.sourceId }, ...after },
              ...page,
            }),
      )
      if (!rows.length) break
      cursor = rows[rows.length - 1].id
      const gone = rows.filter((r) => !seen.has(r.id))
      if (!gone.length) continue
      const ids = gone.map((r) => r.id)
      for (const r of gone) affected.add(r.identityId)
      await inTx((tx) =>
        what === 'credential'
          ? tx.credential.updateMany({ where: { id: { in: ids }, orgId: this.orgId }, data: { status: 'revoked' } })
          : tx.grant.updateMany({ where: { id: { in: ids }, orgId: this.orgId }, data: { status: 'revoked', revokedAt: now } }),
      )
      n += ids.length
    }
    return n
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}

/** Splits a page into parts of at most `max` records, keeping the order resources → identities → credentials → grants. */
export function split(page: DiscoveryPage, max = TX_RECORDS): DiscoveryPage[] {
  const keys = ['resources', 'entitlements', 'identities', 'credentials', 'grants'] as const
  const total = keys.reduce((n, k) => n + (page[k]?.length ?? 0), 0)
  if (total <= max) return total ? [page] : []
  const parts: DiscoveryPage[] = []
  let cur: DiscoveryPage = {}
  let size = 0
  for (const k of keys) {
    const list = (page[k] ?? []) as unknown[]
    for (let i = 0; i < list.length;) {
      const take = Math.min(max - size, list.length - i)
      ;((cur[k] ??= []) as unknown[]).push(...list.slice(i, i + take))
      size += take
      i += take
      if (size >= max) {
        parts.push(cur)
        cur = {}
        size = 0
      }
    }
  }
  if (size) parts.push(cur)
  return parts
}
