import { createHash, createHmac } from 'node:crypto'
import pg from 'pg'
import type {
  ActionKind,
  ActionResult,
  ActionTarget,
  Connector,
  ConnectorContext,
  DiscoveredCredential,
  DiscoveredEntitlement,
  DiscoveredGrant,
  DiscoveredIdentity,
  DiscoveredResource,
  DiscoveryPage,
} from '@/lib/connectors/types'
import { env } from '@/lib/env'
import { LEASE_ROLE_COMMENT_PREFIX } from '@/lib/leases/schemas'
import {
  credentialId,
  entitlementId,
  parseCredentialId,
  parseEntitlementId,
  PRIVILEGED_ATTRIBUTES,
  PRIVILEGED_ROLES,
  resourceId,
  ROLE_ATTRIBUTES,
  type ParsedEntitlement,
  type RoleAttribute,
} from './ids'
import { generatePassword, scramVerifier } from './scram'

/** A failure retrying cannot fix (missing configuration, unsupported target): the job fails at once. */
export class ConnectorError extends Error {
  readonly permanent: boolean
  constructor(message: string, permanent = false) {
    super(message)
    this.permanent = permanent
  }
}

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`
export const literal = (s: string) => `'${s.replace(/'/g, "''")}'`

const ATTR_COLUMN: Record<RoleAttribute, string> = {
  SUPERUSER: 'rolsuper',
  CREATEROLE: 'rolcreaterole',
  CREATEDB: 'rolcreatedb',
  BYPASSRLS: 'rolbypassrls',
  REPLICATION: 'rolreplication',
}

// One small pool per connection string (keyed by its hash, so the string itself is never a map key in memory dumps of logs).
const pools = new Map<string, pg.Pool>()

function connectionString(ctx: ConnectorContext): string {
  const ref = ctx.secretRef
  if (!ref) throw new ConnectorError('This PostgreSQL source has no secretRef: name the environment variable that holds its connection string.', true)
  const url = ctx.secret(ref)
  if (!url) throw new ConnectorError(`The environment variable ${ref} (the source's secretRef) is not set, so the PostgreSQL source cannot be reached.`, true)
  return url
}

/** host:port/db without user or password, for messages. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || 5432}${u.pathname}`
  } catch {
    return 'the configured server'
  }
}

export async function withClient<T>(ctx: ConnectorContext, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const url = connectionString(ctx)
  const key = createHash('sha256').update(url).digest('hex')
  let pool = pools.get(key)
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 10_000, allowExitOnIdle: true })
    pool.on('error', () => {})
    pools.set(key, pool)
  }
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (err) {
    const e = err as Error & { code?: string }
    throw new ConnectorError(`Cannot reach the PostgreSQL source at ${describeTarget(url)}: ${e.code ?? ''} ${e.message}`.replace(/\s+/g, ' ').trim())
  }
  try {
    return await fn(client)
  } finally {
    client.release()
  }
}

/** Closes the pools (tests and benchmarks, so the process can exit at once). */
export async function closePostgresPools() {
  await Promise.all([...pools.values()].map((p) => p.end().catch(() => {})))
  pools.clear()
}

type RoleRow = {
  oid: number
  rolname: string
  comment: string | null
  rolcanlogin: boolean
  rolsuper: boolean
  rolcreaterole: boolean
  rolcreatedb: boolean
  rolbypassrls: boolean
  rolreplication: boolean
  validuntil: Date | null
  rolconnlimit: number
}

async function passwords(c: pg.PoolClient): Promise<Map<string, string | null> | null> {
  try {
    const r = await c.query<{ rolname: string; rolpassword: string | null }>(`SELECT rolname, rolpassword FROM pg_authid`)
    return new Map(r.rows.map((x) => [x.rolname, x.rolpassword]))
  } catch {
    return null // not a superuser: passwords are unknown, every login role is assumed to have one
  }
}

function fingerprint(kind: string, ...parts: string[]) {
  return createHmac('sha256', env().secretSalt)
    .update([kind, ...parts].join('\u0000'))
    .digest('hex')
}

async function discoverAll(ctx: ConnectorContext): Promise<DiscoveryPage[]> {
  return withClient(ctx, async (c) => {
    const environment = (typeof ctx.config.environment === 'string' ? ctx.config.environment : 'unknown') as DiscoveredIdentity['environment']
    // One connection runs one query at a time: sequential on purpose.
    const {
      rows: [server],
    } = await c.query<{ db: string; version: string }>(`SELECT current_database() AS db, current_setting('server_version') AS version`)
    const { rows: roles } =
      await c.query<RoleRow>(`SELECT oid::int AS oid, rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolconnlimit,
          CASE WHEN rolvaliduntil = 'infinity' THEN NULL ELSE rolvaliduntil END AS validuntil,
          shobj_description(oid, 'pg_authid') AS comment
        FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY rolname`)
    const pw = await passwords(c)
    const { rows: active } = await c.query<{ usename: string; at: Date }>(
      `SELECT usename, max(backend_start) AS at FROM pg_stat_activity WHERE usename IS NOT NULL GROUP BY usename`,
    )
    const lastSeen = new Map(active.map((a) => [a.usename, a.at]))
    // An NHI is a role that can log in, or a disabled one that still has a password (so disabling does not make it vanish).
    // A role Custodian leased (its comment names the lease) is an ephemeral credential of the identity that leased it,
    // already in the inventory as that: not an identity of this source.
    const leased = roles.filter((r) => r.comment?.startsWith(LEASE_ROLE_COMMENT_PREFIX))
    const logins = roles.filter((r) => (r.rolcanlogin || (pw?.get(r.rolname) ?? null) !== null) && !r.comment?.startsWith(LEASE_ROLE_COMMENT_PREFIX))
    const loginOids = new Map(logins.map((r) => [r.oid, r.rolname]))
    const identities: DiscoveredIdentity[] = logins.map((r) => ({
      externalId: r.rolname,
      name: r.rolname,
      kind: 'service_account',
      environment,
      status: r.rolcanlogin ? 'active' : 'disabled',
      lastUsedAt: lastSeen.get(r.rolname) ?? null,
      metadata: { database: server.db, serverVersion: server.version, connectionLimit: r.rolconnlimit, superuser: r.rolsuper },
    }))
    const credentials: DiscoveredCredential[] = logins
      .filter((r) => !pw || pw.get(r.rolname))
      .map((r) => ({
        identityExternalId: r.rolname,
        externalId: credentialId(r.rolname),
        kind: 'password',
        label: 'password',
        // From the stored SCRAM verifier when readable, so a rotation changes the fingerprint; never the password.
        fingerprint: fingerprint('postgresql-password', server.db, r.rolname, pw?.get(r.rolname) ?? ''),
        expiresAt: r.validuntil,
        status: r.rolcanlogin ? 'active' : 'inactive',
      }))
    const resources = new Map<string, DiscoveredResource>()
    const entitlements = new Map<string, DiscoveredEntitlement>()
    const grants: DiscoveredGrant[] = []
    const add = (identity: string, res: DiscoveredResource, privilege: string, privileged: boolean, description: string | null = null) => {
      resources.set(res.externalId, res)
      const eid = entitlementId(res.externalId, privilege)
      if (!entitlements.has(eid)) entitlements.set(eid, { resourceExternalId: res.externalId, externalId: eid, name: privilege, privileged, description })
      grants.push({ identityExternalId: identity, resourceExternalId: res.externalId, entitlementExternalId: eid })
    }
    const cluster: DiscoveredResource = { externalId: resourceId.cluster(), name: `PostgreSQL server (${server.db})`, type: 'server', environment }
    for (const r of logins) {
      for (const a of ROLE_ATTRIBUTES) {
        if (r[ATTR_COLUMN[a] as keyof RoleRow]) add(r.rolname, cluster, a, PRIVILEGED_ATTRIBUTES.has(a), `Role attribute ${a}`)
      }
    }
    const oids = [...loginOids.keys()]
    if (oids.length) {
      const members = await c.query<{ member: number; rolname: string; super: boolean }>(
        `SELECT m.member::int AS member, g.rolname, (g.rolsuper OR g.rolcreaterole OR g.rolbypassrls) AS super
           FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = ANY($1::oid[])`,
        [oids],
      )
      const dbs = await c.query<{ grantee: number; priv: string }>(
        `SELECT a.grantee::int AS grantee, a.privilege_type AS priv FROM pg_database d, aclexplode(d.datacl) a
           WHERE d.datname = current_database() AND a.grantee = ANY($1::oid[]) AND a.grantee <> d.datdba`,
        [oids],
      )
      const schemas = await c.query<{ grantee: number; nspname: string; priv: string }>(
        `SELECT a.grantee::int AS grantee, n.nspname, a.privilege_type AS priv FROM pg_namespace n, aclexplode(n.nspacl) a
           WHERE a.grantee = ANY($1::oid[]) AND a.grantee <> n.nspowner AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
        [oids],
      )
      const tables = await c.query<{ grantee: number; nspname: string; relname: string; relkind: string; priv: string }>(
        `SELECT a.grantee::int AS grantee, n.nspname, c.relname, c.relkind::text AS relkind, a.privilege_type AS priv
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
           WHERE c.relkind IN ('r','v','m','p','f') AND a.grantee = ANY($1::oid[]) AND a.grantee <> c.relowner
             AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
        [oids],
      )
      for (const m of members.rows) {
        add(
          loginOids.get(m.member)!,
          { externalId: resourceId.role(m.rolname), name: m.rolname, type: 'role', environment },
          'MEMBER',
          m.super || PRIVILEGED_ROLES.has(m.rolname),
          `Member of role ${m.rolname}`,
        )
      }
      for (const d of dbs.rows)
        add(loginOids.get(d.grantee)!, { externalId: resourceId.database(server.db), name: server.db, type: 'database', environment }, d.priv, false)
      for (const s of schemas.rows)
        add(loginOids.get(s.grantee)!, { externalId: resourceId.schema(s.nspname), name: s.nspname, type: 'schema', environment }, s.priv, false)
      for (const t of tables.rows) {
        add(
          loginOids.get(t.grantee)!,
          {
            externalId: resourceId.table(t.nspname, t.relname),
            name: `${t.nspname}.${t.relname}`,
            type: t.relkind === 'v' || t.relkind === 'm' ? 'view' : 'table',
            environment,
          },
          t.priv,
          false,
        )
      }
    }
    const pages: DiscoveryPage[] = [
      {
        identities,
        credentials,
        resources: [...resources.values()],
        entitlements: [...entitlements.values()],
        skipped: leased.map((r) => ({ name: r.rolname, reason: 'a role Custodian leased (an ephemeral credential of the identity that asked for it)' })),
      },
    ]
    for (let i = 0; i < grants.length; i += 5000) pages.push({ grants: grants.slice(i, i + 5000) })
    if (pages.length === 1) pages[0].grants = []
    return pages
  })
}

async function role(c: pg.PoolClient, name: string) {
  const r = await c.query<RoleRow>({
    name: 'custodian-role',
    text: `SELECT oid::int AS oid, rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolconnlimit, NULL AS validuntil, NULL AS comment FROM pg_roles WHERE rolname = $1`,
    values: [name],
  })
  return r.rows[0] ?? null
}

// Databases and schemas keep their grants in an ACL column of their catalog row: one query, the catalog named per kind (constants, never input).
const ACL_CATALOGS = {
  database: { catalog: 'pg_database', nameColumn: 'datname', aclColumn: 'datacl' },
  schema: { catalog: 'pg_namespace', nameColumn: 'nspname', aclColumn: 'nspacl' },
} as const

/**
 * Whether a role holds a privilege, checked before and after each revocation. Each text is a named (prepared)
 * statement: the catalog joins cost ~1 ms to plan, more than to run, and a batch of revocations runs them a thousand times
 * on the same pooled connections.
 */
async function holds(c: pg.PoolClient, roleOid: number, e: ParsedEntitlement): Promise<boolean> {
  const q = (name: string, text: string, values: unknown[]) => c.query({ name: `custodian-holds-${name}`, text, values })
  let r: pg.QueryResult
  switch (e.on) {
    case 'cluster':
      r = await q(`cluster-${e.privilege}`, `SELECT 1 FROM pg_roles WHERE oid = $1 AND ${ATTR_COLUMN[e.privilege]}`, [roleOid])
      break
    case 'role':
      r = await q('role', `SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE g.rolname = $1 AND m.member = $2`, [e.role, roleOid])
      break
    case 'database':
    case 'schema': {
      const { catalog, nameColumn, aclColumn } = ACL_CATALOGS[e.on]
      const name = e.on === 'database' ? e.database : e.schema
      r = await q(e.on, `SELECT 1 FROM ${catalog} o, aclexplode(o.${aclColumn}) a WHERE o.${nameColumn} = $1 AND a.grantee = $2 AND a.privilege_type = $3`, [
        name,
        roleOid,
        e.privilege,
      ])
      break
    }
    case 'table':
      r = await q(
        'table',
        `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
         WHERE n.nspname = $1 AND c.relname = $2 AND a.grantee = $3 AND a.privilege_type = $4`,
        [e.schema, e.table, roleOid, e.privilege],
      )
      break
  }
  return (r.rowCount ?? 0) > 0
}

/** The statement that takes `e` from the roles (several only for privileges kept in an ACL or a membership). */
function revokeSql(e: ParsedEntitlement, ...roleNames: string[]): string {
  if (e.on === 'cluster' && roleNames.length !== 1) throw new Error('A role attribute is revoked from one role at a time')
  const who = roleNames.map(ident).join(', ')
  switch (e.on) {
    case 'cluster':
      return `ALTER ROLE ${who} NO${e.privilege}`
    case 'role':
      return `REVOKE ${ident(e.role)} FROM ${who}`
    case 'database':
      return `REVOKE ${e.privilege} ON DATABASE ${ident(e.database)} FROM ${who}`
    case 'schema':
      return `REVOKE ${e.privilege} ON SCHEMA ${ident(e.schema)} FROM ${who}`
    case 'table':
      return `REVOKE ${e.privilege} ON TABLE ${ident(e.schema)}.${ident(e.table)} FROM ${who}`
  }
}

/** The outcomes of a privilege revocation, one by one (act) or many at once (actMany): the same words either way. */
const revocation = {
  roleGone: (role: string): ActionResult => ({ status: 'applied', detail: `Role ${role} no longer exists on the server; nothing left to do.` }),
  notHeld: (role: string, ext: string | undefined): ActionResult => ({ status: 'applied', detail: `${role} no longer holds ${ext}; nothing to revoke.` }),
  done: (role: string, ext: string | undefined): ActionResult => ({ status: 'applied', detail: `Revoked ${ext} from ${role}.` }),
  stillHeld: (role: string, ext: string | undefined) =>
    new ConnectorError(`REVOKE ran but ${role} still holds ${ext} (it was granted by another role with GRANT OPTION); revoke it as that grantor.`, true),
}

async function act(ctx: ConnectorContext, action: ActionKind, target: ActionTarget): Promise<ActionResult> {
  const roleName = target.identityExternalId
  return withClient(ctx, async (c) => {
    const r = await role(c, roleName)
    if (!r) return revocation.roleGone(roleName)
    switch (action) {
      case 'revoke_grant': {
        const ext = target.grant?.entitlementExternalId
        const e = ext ? parseEntitlementId(ext) : null
        if (!e)
          throw new ConnectorError(
            `This grant was not discovered by the PostgreSQL connector (${ext ?? 'no entitlement'}), so it cannot be revoked here.`,
            true,
          )
        // Check first: a re-run after a crash finds the privilege already gone and changes nothing.
        if (!(await holds(c, r.oid, e))) return revocation.notHeld(roleName, ext)
        await c.query(revokeSql(e, roleName))
        if (await holds(c, r.oid, e)) throw revocation.stillHeld(roleName, ext)
        return revocation.done(roleName, ext)
      }
      case 'disable_identity': {
        const was = r.rolcanlogin
        if (was) await c.query(`ALTER ROLE ${ident(roleName)} NOLOGIN`)
        // Open sessions keep working after NOLOGIN: end them so the disable takes effect now.
        const killed = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`, [roleName])
        return { status: 'applied', detail: `${was ? 'Set NOLOGIN on' : 'Already NOLOGIN:'} ${roleName}; ended ${killed.rowCount ?? 0} session(s).` }
      }
      case 'enable_identity': {
        if (r.rolcanlogin) return { status: 'applied', detail: `${roleName} can already log in.` }
        await c.query(`ALTER ROLE ${ident(roleName)} LOGIN`)
        return { status: 'applied', detail: `Set LOGIN on ${roleName}.` }
      }
      case 'revoke_credential': {
        checkCredential(target, roleName)
        // PASSWORD NULL is idempotent: running it twice leaves the same state.
        await c.query(`ALTER ROLE ${ident(roleName)} PASSWORD NULL`)
        return { status: 'applied', detail: `Removed the password of ${roleName}.` }
      }
      case 'rotate_credential': {
        checkCredential(target, roleName)
        if (!ctx.deliverSecret) {
          throw new ConnectorError(
            'No rotation destination is configured (source config rotationDestination: a file path or "webhook"); the new password would have nowhere to go, so nothing was changed.',
            true,
          )
        }
        const password = generatePassword()
        // Deliver first, then set: a crash in between leaves the old password working and the re-run delivers a fresh one.
        const where = await ctx.deliverSecret({
          identityExternalId: roleName,
          credentialExternalId: target.credentialExternalId,
          kind: 'password',
          value: password,
        })
        await c.query(`ALTER ROLE ${ident(roleName)} PASSWORD ${literal(scramVerifier(password))}`)
        return { status: 'applied', detail: `Rotated the password of ${roleName}; the new one was ${where}.` }
      }
      default:
        throw new ConnectorError(`The PostgreSQL connector does not ${action.replace('_', ' ')}.`, true)
    }
  })
}

function checkCredential(target: ActionTarget, roleName: string) {
  const owner = target.credentialExternalId ? parseCredentialId(target.credentialExternalId) : roleName
  if (owner !== roleName) throw new ConnectorError('This credential was not discovered by the PostgreSQL connector.', true)
}

const ACL_TARGETS = new Set(['table', 'schema', 'database'])
const REVOKE_ROLES_PER_STATEMENT = 500

/** Which of `oids` hold an ACL privilege (table, schema, database): one prepared query for many roles. */
async function holders(c: pg.PoolClient, e: ParsedEntitlement, oids: number[]): Promise<Set<number>> {
  let r: pg.QueryResult<{ oid: number }>
  if (e.on === 'table') {
    r = await c.query({
      name: 'custodian-holders-table',
      text: `SELECT a.grantee::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
             WHERE n.nspname = $1 AND c.relname = $2 AND a.privilege_type = $3 AND a.grantee = ANY($4::oid[])`,
      values: [e.schema, e.table, e.privilege, oids],
    })
  } else if (e.on === 'database' || e.on === 'schema') {
    const { catalog, nameColumn, aclColumn } = ACL_CATALOGS[e.on]
    r = await c.query({
      name: `custodian-holders-${e.on}`,
      text: `SELECT a.grantee::int AS oid FROM ${catalog} o, aclexplode(o.${aclColumn}) a WHERE o.${nameColumn} = $1 AND a.privilege_type = $2 AND a.grantee = ANY($3::oid[])`,
      values: [e.on === 'database' ? e.database : e.schema, e.privilege, oids],
    })
  } else throw new Error(`${e.on} privileges are not kept in an ACL`)
  return new Set(r.rows.map((row) => row.oid))
}

/**
 * act on many targets: revocations of one table, schema or database privilege from many roles take one check of who
 * holds it, one `REVOKE … FROM r1, r2, …` and one check again, so a popular table's ACL is rewritten once, not once per
 * role (1,000 roles on one table: ~8 ms each one by one). The outcomes and messages are act's. Everything else, and a
 * group whose statement fails (a role dropped meanwhile, say), goes through act one target at a time.
 */
async function actMany(ctx: ConnectorContext, action: ActionKind, targets: readonly ActionTarget[]): Promise<(ActionResult | Error)[]> {
  const out: (ActionResult | Error)[] = new Array(targets.length)
  const one = (i: number) => act(ctx, action, targets[i]).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))
  const groups = new Map<string, { e: ParsedEntitlement; idx: number[] }>()
  for (let i = 0; i < targets.length; i++) {
    const ext = targets[i].grant?.entitlementExternalId
    const e = action === 'revoke_grant' && ext ? parseEntitlementId(ext) : null
    if (!e || !ACL_TARGETS.has(e.on)) {
      out[i] = await one(i)
      continue
    }
    const g = groups.get(ext!) ?? { e, idx: [] }
    g.idx.push(i)
    groups.set(ext!, g)
  }
  for (const [ext, { e, idx }] of groups) {
    try {
      await withClient(ctx, async (c) => {
        const names = [...new Set(idx.map((i) => targets[i].identityExternalId))]
        const found = await c.query<{ oid: number; rolname: string }>({
          name: 'custodian-roles-named',
          text: 'SELECT oid::int AS oid, rolname FROM pg_roles WHERE rolname = ANY($1::text[])',
          values: [names],
        })
        const oid = new Map(found.rows.map((r) => [r.rolname, r.oid]))
        const before = await holders(c, e, [...oid.values()])
        const holding = names.filter((n) => before.has(oid.get(n) ?? -1))
        for (let k = 0; k < holding.length; k += REVOKE_ROLES_PER_STATEMENT) await c.query(revokeSql(e, ...holding.slice(k, k + REVOKE_ROLES_PER_STATEMENT)))
        const after = holding.length
          ? await holders(
              c,
              e,
              holding.map((n) => oid.get(n)!),
            )
          : new Set<number>()
        for (const i of idx) {
          const name = targets[i].identityExternalId
          const o = oid.get(name)
          if (o === undefined) out[i] = revocation.roleGone(name)
          else if (!before.has(o)) out[i] = revocation.notHeld(name, ext)
          else if (after.has(o)) out[i] = revocation.stillHeld(name, ext)
          else out[i] = revocation.done(name, ext)
        }
      })
    } catch {
      for (const i of idx) out[i] = await one(i)
    }
  }
  return out
}

export const postgresqlConnector: Connector = {
  type: 'postgresql',
  supports: { revoke_grant: true, disable_identity: true, enable_identity: true, revoke_credential: true, rotate_credential: true },
  async *discover(ctx) {
    for (const page of await discoverAll(ctx)) yield page
  },
  act,
  actMany,
}
