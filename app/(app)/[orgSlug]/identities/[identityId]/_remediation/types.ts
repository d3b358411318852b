import type { RemediationDto } from '@/lib/remediation/queries'

export type { RemediationDto }
export type Mode = 'live' | 'simulated' | 'manual'
export type PendingRequest = { id: string; kind: string; justification: string; createdAt: string }

export type GrantRow = {
  id: string
  permission: string
  privileged: boolean
  resource: string
  resourceType: string
  createdAt: string
  lastUsedAt: string | null
  /** false: the source does not report usage (a missing last use is unknown, not never) */
  usageReported: boolean
  status: string
}

export type CredentialRow = {
  id: string
  kind: string
  label: string | null
  fingerprint: string
  createdAt: string
  lastRotatedAt: string | null
  expiresAt: string | null
  lastUsedAt: string | null
  /** false: the source does not report usage (a missing last use is unknown, not never) */
  usageReported: boolean
  status: string
}

export type RemediationContext = {
  orgSlug: string
  identityId: string
  identityName: string
  canRemediate: boolean
  /** the signed-in owner (or backup owner) without remediation rights asks through lib/requests */
  canRequest: boolean
  /** the organization lets owners act at once on non-privileged items */
  ownersActDirectly: boolean
  identityPrivileged: boolean
  /** open owner requests, by grant or credential id */
  pendingRequests: Record<string, PendingRequest>
  mode: Mode
  sourceName: string
  now: number
}
