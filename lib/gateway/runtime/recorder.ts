// Every call through the gateway, kept in memory and written in batches (every second or every 500 calls) in one
// transaction: the GatewayCall rows, and per identity of the batch its last use, the last use of the grants behind the
// rules that allowed its calls, and one ActivityEvent per kind (api_call for allowed calls, auth_failure for refused
// ones with a known token). Nothing is written on the request's path. While the database is unreachable the batch is
// kept (up to MAX_PENDING calls, the oldest dropped beyond) and written when it answers again.
import { newId } from '@/lib/sql/bulk'
import { sql, type Fragment } from '@/lib/sql/sql'
import type { GatewayDb } from './db'

export interface CallRecord {
  orgId: string
  identityId: string | null
  tokenId: string | null
  routeId: string | null
  /** the entitlement of the rule that allowed the call (its grant's last use is updated) */
  entitlementId: string | null
  at: number
  method: string
  path: string
  status: number
  latencyMs: number
  bytesIn: number
  bytesOut: number
  decision: 'allow' | 'deny' | 'error'
  ruleId: string | null
  reason: string | null
  sourceIp: string | null
  requestId: string
  /** a refused authentication (401/403) of a known identity: an auth_failure event */
  authFailure: boolean
}

const COLUMNS = [
  'id',
  'orgId',
  'identityId',
  'tokenId',
  'routeId',
  'at',
  'method',
  'path',
  'status',
  'latencyMs',
  'bytesIn',
  'bytesOut',
  'decision',
  'ruleId',
  'reason',
  'sourceIp',
  'requestId',
] as const
const ROWS_PER_INSERT = 100
const MAX_PENDING = 100_000

export class Recorder {
  private pending: CallRecord[] = []
  private flushing: Promise<void> | null = null
  private timer: NodeJS.Timeout
  dropped = 0
  written = 0
  lastError: string | null = null

  constructor(
    private readonly db: GatewayDb,
    private readonly opts: { everyMs?: number; maxBatch?: number; log?: (msg: string) => void } = {},
  ) {
    this.timer = setInterval(() => void this.flushBatch(), opts.everyMs ?? 1000)
    this.timer.unref()
  }

  add(r: CallRecord): void {
    this.pending.push(r)
    if (this.pending.length > MAX_PENDING) {
      const over = this.pending.length - MAX_PENDING
      this.pending.splice(0, over)
      this.dropped += over
    }
    if (this.pending.length >= (this.opts.maxBatch ?? 500) && !this.flushing) void this.flushBatch()
  }

  /**
   * Writes what is pending now. A batch already being written (the timer's) holds only the calls queued before it
   * started: wait for it, then write the calls queued since, so that after flush() every call added before it is written
   * (or kept, if the database refused it for now).
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush())
    return this.flushBatch()
  }

  /** Writes one batch of what is pending (one transaction); a failed batch stays pending for the next try. */
  private flushBatch(): Promise<void> {
    if (this.flushing) return this.flushing
    if (!this.pending.length) return Promise.resolve()
    const batch = this.pending
    this.pending = []
    this.flushing = this.write(batch)
      .then(() => {
        this.written += batch.length
        this.lastError = null
      })
      .catch(async (err: unknown) => {
        // The database answers but refused the batch (e.g. an identity deleted meanwhile): write the calls one by one
        // and drop only those it refuses, so one bad row cannot stop the recording. Otherwise keep the batch.
        if (await this.reachable()) {
          let refused = 0
          for (let i = 0; i < batch.length; i++) {
            try {
              await this.write([batch[i]])
              this.written++
            } catch (e) {
              // Busy or gone rather than refused: keep the rest for the next try.
              if (/locked|busy|connect|terminat|timeout/i.test(e instanceof Error ? e.message : String(e))) {
                this.pending = batch.slice(i).concat(this.pending)
                break
              }
              refused++
            }
          }
          if (refused) this.opts.log?.(`gateway: ${refused} call records were refused by the database and dropped`)
          this.dropped += refused
          return
        }
        this.pending = batch.concat(this.pending)
        const msg = err instanceof Error ? err.message : String(err)
        if (msg !== this.lastError) this.opts.log?.(`gateway: writing ${batch.length} calls failed, kept for the next try: ${msg}`)
        this.lastError = msg
      })
      .finally(() => {
        this.flushing = null
      })
    return this.flushing
  }

  private async reachable(): Promise<boolean> {
    try {
      await this.db.query(sql`SELECT 1 AS "ok"`)
      return true
    } catch {
      return false
    }
  }

  private write(batch: CallRecord[]): Promise<void> {
    const statements: Fragment[] = []
    for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
      const rows = batch.slice(i, i + ROWS_PER_INSERT).map(
        (c) =>
          sql`(${sql.join([
            newId(),
            c.orgId,
            c.identityId,
            c.tokenId,
            c.routeId,
            sql.date(c.at),
            c.method,
            c.path.slice(0, 2000),
            // Typed: PostgreSQL reads the parameters of a multi-row VALUES list as text otherwise.
            sql`CAST(${c.status} AS INTEGER)`,
            sql`CAST(${c.latencyMs} AS DOUBLE PRECISION)`,
            sql`CAST(${c.bytesIn} AS INTEGER)`,
            sql`CAST(${c.bytesOut} AS INTEGER)`,
            c.decision,
            c.ruleId,
            c.reason,
            c.sourceIp,
            c.requestId,
          ])})`,
      )
      statements.push(sql`INSERT INTO "GatewayCall" (${sql.join(COLUMNS.map((c) => sql.ident(c)))}) VALUES ${sql.join(rows)}`)
    }
    // Per identity: last use, grants used, one event per kind.
    type Agg = {
      orgId: string
      identityId: string
      lastAllowed: number
      calls: number
      failures: number
      lastFailure: number
      ip: string | null
      sample: string
    }
    const byIdentity = new Map<string, Agg>()
    const grants = new Map<string, { orgId: string; identityId: string; entitlementId: string; at: number }>()
    // A gateway token's last use and address, like an API token's (the token list and its owner see it used).
    const tokens = new Map<string, { orgId: string; at: number; ip: string | null }>()
    for (const c of batch) {
      // (An exchanged token, `jwt:<jti>`, has no ApiToken row.)
      if (c.tokenId && !c.tokenId.startsWith('jwt:') && c.decision === 'allow' && (tokens.get(c.tokenId)?.at ?? 0) <= c.at)
        tokens.set(c.tokenId, { orgId: c.orgId, at: c.at, ip: c.sourceIp })
      if (!c.identityId) continue
      let a = byIdentity.get(c.identityId)
      if (!a) {
        a = { orgId: c.orgId, identityId: c.identityId, lastAllowed: 0, calls: 0, failures: 0, lastFailure: 0, ip: null, sample: '' }
        byIdentity.set(c.identityId, a)
      }
      a.ip = c.sourceIp
      if (c.decision === 'allow') {
        a.calls++
        a.lastAllowed = Math.max(a.lastAllowed, c.at)
        if (!a.sample) a.sample = `${c.method} ${c.path}`
        if (c.entitlementId) {
          const k = `${c.identityId}\u0000${c.entitlementId}`
          const g = grants.get(k)
          if (!g || g.at < c.at) grants.set(k, { orgId: c.orgId, identityId: c.identityId, entitlementId: c.entitlementId, at: c.at })
        }
      } else if (c.authFailure) {
        a.failures++
        a.lastFailure = Math.max(a.lastFailure, c.at)
      }
    }
    const events: Fragment[] = []
    for (const a of byIdentity.values()) {
      if (a.calls) {
        const at = sql.date(a.lastAllowed)
        statements.push(
          sql`UPDATE "Identity" SET "lastUsedAt" = ${at} WHERE "orgId" = ${a.orgId} AND "id" = ${a.identityId} AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${at})`,
        )
        const detail = `${a.calls} gateway call${a.calls === 1 ? '' : 's'}, e.g. ${a.sample}`.slice(0, 500)
        events.push(sql`(${sql.join([newId(), a.orgId, a.identityId, at, 'api_call', a.ip, 'custodian-gateway', detail])})`)
      }
      if (a.failures) {
        const detail = `${a.failures} gateway call${a.failures === 1 ? '' : 's'} refused`
        events.push(sql`(${sql.join([newId(), a.orgId, a.identityId, sql.date(a.lastFailure), 'auth_failure', a.ip, 'custodian-gateway', detail])})`)
      }
    }
    for (const g of grants.values()) {
      const at = sql.date(g.at)
      statements.push(
        sql`UPDATE "Grant" SET "lastUsedAt" = ${at} WHERE "orgId" = ${g.orgId} AND "identityId" = ${g.identityId} AND "entitlementId" = ${g.entitlementId} AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${at})`,
      )
    }
    for (const [id, t] of tokens) {
      const at = sql.date(t.at)
      statements.push(
        sql`UPDATE "ApiToken" SET "lastUsedAt" = ${at}, "lastUsedIp" = ${t.ip} WHERE "orgId" = ${t.orgId} AND "id" = ${id} AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${at})`,
      )
    }
    if (events.length)
      statements.push(
        sql`INSERT INTO "ActivityEvent" ("id", "orgId", "identityId", "at", "kind", "sourceIp", "userAgent", "detail") VALUES ${sql.join(events)}`,
      )
    return this.db.transaction(statements)
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
    if (this.pending.length) await this.flush()
  }
}
