import 'server-only'
import type pg from 'pg'
import { ident, literal, withClient } from '@/lib/connectors/postgresql/connector'
import { scramVerifier } from '@/lib/connectors/postgresql/scram'
import { connectorContext, type SourceLike } from '@/lib/connectors/registry'
import type { TemplateGrant } from '@/lib/leases/schemas'

// What a lease does on the live PostgreSQL source. Every name is quoted as an identifier and every value as a literal
// (DDL takes no bind parameters); the grants come from the template's structured, validated form, never from raw text.

/** The GRANT statement of one template grant to a role. */
export function grantStatement(g: TemplateGrant, role: string): string {
  const to = ` TO ${ident(role)}`
  switch (g.objectType) {
    case 'table':
      return `GRANT ${g.privilege} ON TABLE ${ident(g.schema!)}.${ident(g.name!)}${to}`
    case 'all-tables-in-schema':
      return `GRANT ${g.privilege} ON ALL TABLES IN SCHEMA ${ident(g.schema!)}${to}`
    case 'sequence':
      return `GRANT ${g.privilege} ON SEQUENCE ${ident(g.schema!)}.${ident(g.name!)}${to}`
    case 'schema':
      return `GRANT ${g.privilege} ON SCHEMA ${ident(g.schema!)}${to}`
    case 'database':
      return `GRANT ${g.privilege} ON DATABASE ${ident(g.name!)}${to}`
  }
}

/** A table or sequence grant is useless without USAGE on its schema: it is added (lookup only, no access to other objects). */
export function statementsFor(grants: readonly TemplateGrant[], role: string): string[] {
  const schemas = new Set<string>()
  for (const g of grants) if (g.objectType === 'table' || g.objectType === 'sequence' || g.objectType === 'all-tables-in-schema') schemas.add(g.schema!)
  const explicit = new Set(grants.filter((g) => g.objectType === 'schema' && g.privilege === 'USAGE').map((g) => g.schema!))
  return [
    ...[...schemas].filter((s) => !explicit.has(s)).map((s) => `GRANT USAGE ON SCHEMA ${ident(s)} TO ${ident(role)}`),
    ...grants.map((g) => grantStatement(g, role)),
  ]
}

async function inTransaction<T>(c: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await c.query('BEGIN')
  try {
    const r = await fn()
    await c.query('COMMIT')
    return r
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  }
}

const ts = (d: Date) => literal(d.toISOString())

/**
 * Creates the role with its grants in one transaction: all of it or nothing. The password reaches the server only as
 * a SCRAM verifier, so it is not in the statement (nor in a server log that records statements).
 */
export async function createLeaseRole(
  source: SourceLike,
  r: { roleName: string; password: string; validUntil: Date; grants: readonly TemplateGrant[]; comment: string },
): Promise<void> {
  await withClient(connectorContext(source), (c) =>
    inTransaction(c, async () => {
      await c.query(`CREATE ROLE ${ident(r.roleName)} LOGIN NOINHERIT PASSWORD ${literal(scramVerifier(r.password))} VALID UNTIL ${ts(r.validUntil)}`)
      await c.query(`COMMENT ON ROLE ${ident(r.roleName)} IS ${literal(r.comment)}`)
      for (const s of statementsFor(r.grants, r.roleName)) await c.query(s)
    }),
  )
}

/** Undoes a createLeaseRole whose lease could not be recorded. */
export async function dropLeaseRoleQuietly(source: SourceLike, roleName: string) {
  await withClient(connectorContext(source), (c) =>
    c.query(`DROP OWNED BY ${ident(roleName)}`).then(() => c.query(`DROP ROLE IF EXISTS ${ident(roleName)}`)),
  ).catch(() => {})
}

export async function setLeaseValidUntil(source: SourceLike, roleName: string, validUntil: Date) {
  await withClient(connectorContext(source), async (c) => {
    const { rowCount } = await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [roleName])
    if (!rowCount) throw new Error(`The role ${roleName} no longer exists on the source.`)
    await c.query(`ALTER ROLE ${ident(roleName)} VALID UNTIL ${ts(validUntil)}`)
  })
}

export type EndStep = 'terminated' | 'dropped'

/**
 * Ends a lease's role. Each step is safe to repeat, so a worker that dies anywhere in between is finished by the next
 * attempt: no more logins and the sessions ended; then, in one transaction, what the role owns goes to the connecting
 * role, what was granted to it is dropped, and the role itself (IF EXISTS).
 */
export async function endLeaseRole(
  source: SourceLike,
  roleName: string,
  onStep?: (step: EndStep) => Promise<void> | void,
): Promise<{ terminated: number; dropped: boolean }> {
  return withClient(connectorContext(source), async (c) => {
    const exists = async () => Boolean((await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [roleName])).rowCount)
    let terminated = 0
    if (await exists()) {
      await c.query(`ALTER ROLE ${ident(roleName)} NOLOGIN`)
      const r = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()`, [roleName])
      terminated = r.rowCount ?? 0
    }
    await onStep?.('terminated')
    const dropped = await inTransaction(c, async () => {
      if (!(await exists())) return false
      // The lease's objects are dropped, never handed over: REASSIGN OWNED ... TO CURRENT_USER would give whatever the
      // holder created (a SECURITY DEFINER function, a trigger) to Custodian's own privileged role — a backdoor.
      await c.query(`DROP OWNED BY ${ident(roleName)}`)
      await c.query(`DROP ROLE IF EXISTS ${ident(roleName)}`)
      return true
    })
    await onStep?.('dropped')
    return { terminated, dropped }
  })
}
