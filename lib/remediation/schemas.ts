import { z } from 'zod'

/** What a person can ask for; delete_identity only happens at the end of a quarantine. */
export const REQUESTABLE_KINDS = ['revoke_grant', 'disable_identity', 'enable_identity', 'revoke_credential', 'rotate_credential'] as const
export type RequestableKind = (typeof REQUESTABLE_KINDS)[number]
export const REMEDIATION_KINDS = [...REQUESTABLE_KINDS, 'delete_identity'] as const
export type RemediationKind = (typeof REMEDIATION_KINDS)[number]

export const REMEDIATION_STATUSES = ['pending', 'applied', 'manual', 'failed', 'canceled'] as const
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number]

export const KIND_LABELS: Record<RemediationKind, string> = {
  revoke_grant: 'Revoke grant',
  disable_identity: 'Disable identity',
  enable_identity: 'Restore identity',
  delete_identity: 'Delete identity',
  revoke_credential: 'Revoke credential',
  rotate_credential: 'Rotate credential',
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'not a valid id')
export const justificationSchema = z
  .string()
  .trim()
  .min(5, 'Say why, in at least 5 characters: the justification goes into the audit log.')
  .max(1000, 'Keep the justification under 1,000 characters.')

export const remediationTargetSchema = z
  .object({
    kind: z.enum(REQUESTABLE_KINDS),
    identityId: id,
    grantId: id.optional(),
    credentialId: id.optional(),
  })
  .refine((t) => t.kind !== 'revoke_grant' || t.grantId, { message: 'Choose the grant to revoke.', path: ['grantId'] })
  .refine((t) => !t.kind.endsWith('_credential') || t.credentialId, { message: 'Choose the credential.', path: ['credentialId'] })
export type RemediationTarget = z.infer<typeof remediationTargetSchema>

export const requestRemediationSchema = z.object({
  orgSlug: z.string(),
  target: remediationTargetSchema,
  justification: justificationSchema,
})

/** Bulk, within one identity: selected grants and credentials (the campaign close uses the domain function directly). */
export const bulkRemediationSchema = z.object({
  orgSlug: z.string(),
  identityId: id,
  grantIds: z.array(id).max(5000).default([]),
  credentialIds: z.array(id).max(5000).default([]),
  /** credentials are revoked; rotate is one at a time */
  justification: justificationSchema,
})
export const previewSchema = bulkRemediationSchema.omit({ justification: true })

export const remediationIdSchema = z.object({ orgSlug: z.string(), remediationId: id })
export const markDoneSchema = remediationIdSchema.extend({ note: z.string().trim().max(1000).optional() })
export const jobIdSchema = z.object({ orgSlug: z.string(), jobId: id })

/** Targets of a bulk request on one identity. */
export function bulkTargets(input: { identityId: string; grantIds: string[]; credentialIds: string[] }): RemediationTarget[] {
  return [
    ...[...new Set(input.grantIds)].map((grantId) => ({ kind: 'revoke_grant' as const, identityId: input.identityId, grantId })),
    ...[...new Set(input.credentialIds)].map((credentialId) => ({ kind: 'revoke_credential' as const, identityId: input.identityId, credentialId })),
  ]
}

/** The key that keeps one open remediation per target. */
export function openKeyOf(t: { kind: string; identityId: string; grantId?: string | null; credentialId?: string | null }) {
  if (t.grantId) return `grant:${t.grantId}`
  if (t.credentialId) return `credential:${t.credentialId}`
  return `identity:${t.identityId}`
}

export const REMEDIATION_JOB_TYPES = REMEDIATION_KINDS
