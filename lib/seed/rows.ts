// Row shapes of the demo data, keyed exactly like the database columns, and the column lists to write them.
// DateTime columns hold epoch milliseconds (lib/sql converts them per engine).

export type Millis = number

export interface OrganizationRow {
  id: string
  slug: string
  name: string
  settings: string
  auditSeq: number
  auditHash: string
  createdAt: Millis
}
export interface UserRow {
  id: string
  email: string
  name: string
  active: boolean
  demo: boolean
  createdAt: Millis
}
export interface MembershipRow {
  id: string
  orgId: string
  userId: string
  role: string
  status: string
  createdAt: Millis
}
export interface TeamRow {
  id: string
  orgId: string
  slug: string
  name: string
  leadId: string | null
  createdAt: Millis
}
export interface TeamMemberRow {
  teamId: string
  userId: string
}
export interface SourceRow {
  id: string
  orgId: string
  name: string
  type: string
  config: string
  secretRef: string | null
  status: string
  syncSchedule: string | null
  lastSyncAt: Millis | null
  lastSyncStatus: string | null
  lastSyncError: string | null
  createdAt: Millis
}
export interface ResourceRow {
  id: string
  orgId: string
  sourceId: string
  externalId: string
  name: string
  type: string
  environment: string
  createdAt: Millis
}
export interface EntitlementRow {
  id: string
  orgId: string
  sourceId: string
  resourceId: string
  externalId: string
  name: string
  description: string | null
  privileged: boolean
  createdAt: Millis
}
export interface IdentityRow {
  id: string
  orgId: string
  sourceId: string
  externalId: string
  name: string
  searchText: string
  kind: string
  environment: string
  status: string
  description: string | null
  createdAt: Millis
  lastUsedAt: Millis | null
  discoveredAt: Millis
  updatedAt: Millis
  ownerId: string | null
  backupOwnerId: string | null
  teamId: string | null
  ownerOrigin: string | null
  ownerAssignedAt: Millis | null
  metadata: string
  privileged: boolean
  grantCount: number
  credentialCount: number
  oldestSecretAt: Millis | null
  riskScore: number
  openFindings: number
  lastAttestedAt: Millis | null
  attestationDue: Millis | null
}
export interface CredentialRow {
  id: string
  orgId: string
  identityId: string
  externalId: string | null
  kind: string
  label: string | null
  fingerprint: string
  createdAt: Millis
  lastRotatedAt: Millis | null
  expiresAt: Millis | null
  lastUsedAt: Millis | null
  status: string
}
export interface GrantRow {
  id: string
  orgId: string
  identityId: string
  entitlementId: string
  privileged: boolean
  createdAt: Millis
  lastUsedAt: Millis | null
  status: string
}
export interface IdentityTagRow {
  id: string
  orgId: string
  identityId: string
  key: string
  value: string
}
export interface ActivityEventRow {
  id: string
  orgId: string
  identityId: string
  at: Millis
  kind: string
  sourceIp: string | null
  userAgent: string | null
  detail: string | null
}

export interface TableRows {
  Organization: OrganizationRow
  User: UserRow
  Membership: MembershipRow
  Team: TeamRow
  TeamMember: TeamMemberRow
  Source: SourceRow
  Resource: ResourceRow
  Entitlement: EntitlementRow
  Identity: IdentityRow
  Credential: CredentialRow
  Grant: GrantRow
  IdentityTag: IdentityTagRow
  ActivityEvent: ActivityEventRow
}
export type TableName = keyof TableRows

export const COLUMNS: { [T in TableName]: readonly (keyof TableRows[T] & string)[] } = {
  Organization: ['id', 'slug', 'name', 'settings', 'auditSeq', 'auditHash', 'createdAt'],
  User: ['id', 'email', 'name', 'active', 'demo', 'createdAt'],
  Membership: ['id', 'orgId', 'userId', 'role', 'status', 'createdAt'],
  Team: ['id', 'orgId', 'slug', 'name', 'leadId', 'createdAt'],
  TeamMember: ['teamId', 'userId'],
  Source: ['id', 'orgId', 'name', 'type', 'config', 'secretRef', 'status', 'syncSchedule', 'lastSyncAt', 'lastSyncStatus', 'lastSyncError', 'createdAt'],
  Resource: ['id', 'orgId', 'sourceId', 'externalId', 'name', 'type', 'environment', 'createdAt'],
  Entitlement: ['id', 'orgId', 'sourceId', 'resourceId', 'externalId', 'name', 'description', 'privileged', 'createdAt'],
  Identity: [
    'id',
    'orgId',
    'sourceId',
    'externalId',
    'name',
    'searchText',
    'kind',
    'environment',
    'status',
    'description',
    'createdAt',
    'lastUsedAt',
    'discoveredAt',
    'updatedAt',
    'ownerId',
    'backupOwnerId',
    'teamId',
    'ownerOrigin',
    'ownerAssignedAt',
    'metadata',
    'privileged',
    'grantCount',
    'credentialCount',
    'oldestSecretAt',
    'riskScore',
    'openFindings',
    'lastAttestedAt',
    'attestationDue',
  ],
  Credential: ['id', 'orgId', 'identityId', 'externalId', 'kind', 'label', 'fingerprint', 'createdAt', 'lastRotatedAt', 'expiresAt', 'lastUsedAt', 'status'],
  Grant: ['id', 'orgId', 'identityId', 'entitlementId', 'privileged', 'createdAt', 'lastUsedAt', 'status'],
  IdentityTag: ['id', 'orgId', 'identityId', 'key', 'value'],
  ActivityEvent: ['id', 'orgId', 'identityId', 'at', 'kind', 'sourceIp', 'userAgent', 'detail'],
}

/** Row objects to value arrays in column order (what the driver's insert writes). */
export function toValues<T extends TableName>(table: T, rows: readonly TableRows[T][]): unknown[][] {
  const cols = COLUMNS[table] as readonly string[]
  const out: unknown[][] = new Array(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as unknown as Record<string, unknown>
    const values = new Array(cols.length)
    for (let j = 0; j < cols.length; j++) values[j] = row[cols[j]]
    out[i] = values
  }
  return out
}
