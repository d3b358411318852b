// External ids of what the PostgreSQL connector discovers. Names are percent-encoded so any identifier
// (dots, slashes, quotes) round-trips: the act() side parses the ids the discover() side wrote.

export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] as const
export const SCHEMA_PRIVILEGES = ['USAGE', 'CREATE'] as const
export const DATABASE_PRIVILEGES = ['CONNECT', 'CREATE', 'TEMPORARY'] as const
export const ROLE_ATTRIBUTES = ['SUPERUSER', 'CREATEROLE', 'CREATEDB', 'BYPASSRLS', 'REPLICATION'] as const
export type RoleAttribute = (typeof ROLE_ATTRIBUTES)[number]

/** Attributes and built-in roles that amount to control of the server or all its data. */
export const PRIVILEGED_ATTRIBUTES = new Set<string>(['SUPERUSER', 'CREATEROLE', 'BYPASSRLS', 'REPLICATION'])
export const PRIVILEGED_ROLES = new Set<string>([
  'pg_execute_server_program',
  'pg_read_server_files',
  'pg_write_server_files',
  'pg_write_all_data',
  'pg_read_all_data',
  'pg_signal_backend',
  'pg_checkpoint',
])

const enc = encodeURIComponent
const dec = decodeURIComponent

export const resourceId = {
  cluster: () => 'cluster',
  database: (db: string) => `database:${enc(db)}`,
  schema: (schema: string) => `schema:${enc(schema)}`,
  table: (schema: string, table: string) => `table:${enc(schema)}/${enc(table)}`,
  role: (role: string) => `role:${enc(role)}`,
}

export function entitlementId(resource: string, privilege: string) {
  return `${resource}#${privilege}`
}

export type ParsedEntitlement =
  | { on: 'cluster'; privilege: RoleAttribute }
  | { on: 'database'; database: string; privilege: (typeof DATABASE_PRIVILEGES)[number] }
  | { on: 'schema'; schema: string; privilege: (typeof SCHEMA_PRIVILEGES)[number] }
  | { on: 'table'; schema: string; table: string; privilege: (typeof TABLE_PRIVILEGES)[number] }
  | { on: 'role'; role: string; privilege: 'MEMBER' }

function oneOf<T extends string>(list: readonly T[], v: string): T | null {
  return (list as readonly string[]).includes(v) ? (v as T) : null
}

/** Parses an entitlement external id; null when it is not one this connector wrote (never turned into SQL). */
export function parseEntitlementId(id: string): ParsedEntitlement | null {
  const hash = id.lastIndexOf('#')
  if (hash < 0) return null
  const resource = id.slice(0, hash)
  const priv = id.slice(hash + 1)
  try {
    if (resource === 'cluster') {
      const p = oneOf(ROLE_ATTRIBUTES, priv)
      return p ? { on: 'cluster', privilege: p } : null
    }
    const colon = resource.indexOf(':')
    const kind = resource.slice(0, colon)
    const rest = resource.slice(colon + 1)
    if (kind === 'database') {
      const p = oneOf(DATABASE_PRIVILEGES, priv)
      return p && rest ? { on: 'database', database: dec(rest), privilege: p } : null
    }
    if (kind === 'schema') {
      const p = oneOf(SCHEMA_PRIVILEGES, priv)
      return p && rest ? { on: 'schema', schema: dec(rest), privilege: p } : null
    }
    if (kind === 'table') {
      const parts = rest.split('/')
      const p = oneOf(TABLE_PRIVILEGES, priv)
      return p && parts.length === 2 && parts[0] && parts[1] ? { on: 'table', schema: dec(parts[0]), table: dec(parts[1]), privilege: p } : null
    }
    if (kind === 'role') return priv === 'MEMBER' && rest ? { on: 'role', role: dec(rest), privilege: 'MEMBER' } : null
  } catch {
    return null
  }
  return null
}

/** The identity external id of a login role is its name; its password credential is `password:<role>`. */
export const credentialId = (role: string) => `password:${enc(role)}`
export function parseCredentialId(id: string): string | null {
  if (!id.startsWith('password:')) return null
  try {
    return dec(id.slice('password:'.length)) || null
  } catch {
    return null
  }
}
