export const ROLES = ['admin', 'governance', 'member', 'auditor'] as const
export type Role = (typeof ROLES)[number]

export const PERMISSIONS = [
  'identity:read',
  'identity:read-all',
  'identity:assign-owner',
  'identity:remediate',
  'identity:attest',
  'identity:transfer',
  'source:read',
  'source:manage',
  'campaign:read',
  'campaign:manage',
  'review:decide',
  'audit:read',
  'audit:verify',
  'audit:checkpoint',
  'report:export',
  'member:manage',
  'settings:manage',
  'api-token:manage',
  'job:read',
  'job:manage',
  'finding:accept',
  'gateway:manage',
  'webhook:read',
  'webhook:manage',
  'lease:read',
  'lease:request',
  'lease:manage',
] as const
export type Permission = (typeof PERMISSIONS)[number]

const everything = new Set<Permission>(PERMISSIONS)

// Members see the whole inventory (so owners can find and claim identities) but change only their own.
const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: everything,
  // Listed, not derived from PERMISSIONS: a new permission reaches no role but admin until someone grants it here.
  governance: new Set<Permission>([
    'identity:read',
    'identity:read-all',
    'identity:assign-owner',
    'identity:remediate',
    'identity:attest',
    'identity:transfer',
    'source:read',
    'source:manage',
    'campaign:read',
    'campaign:manage',
    'review:decide',
    'audit:read',
    'audit:verify',
    'report:export',
    'job:read',
    'job:manage',
    'finding:accept',
    'gateway:manage',
    'lease:read',
    'lease:request',
    'lease:manage',
  ]),
  // Members ask for break-glass credentials only for identities they own (checked in lib/leases).
  member: new Set<Permission>([
    'identity:read',
    'identity:read-all',
    'identity:attest',
    'identity:transfer',
    'review:decide',
    'source:read',
    'campaign:read',
    'lease:request',
  ]),
  auditor: new Set<Permission>([
    'identity:read',
    'identity:read-all',
    'source:read',
    'campaign:read',
    'audit:read',
    'audit:verify',
    'report:export',
    'job:read',
    'lease:read',
  ]),
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission)
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  governance: 'Governance',
  member: 'Member (owner)',
  auditor: 'Auditor',
}
