import { z } from 'zod'
import { justificationSchema } from '@/lib/remediation/schemas'

/** What an owner may ask for on an identity they own. */
export const OWNER_REQUEST_KINDS = ['revoke_grant', 'revoke_credential', 'rotate_credential'] as const
export type OwnerRequestKind = (typeof OWNER_REQUEST_KINDS)[number]
export const OWNER_REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const

export const OWNER_REQUEST_LABELS: Record<OwnerRequestKind, string> = {
  revoke_grant: 'Revoke grant',
  revoke_credential: 'Revoke credential',
  rotate_credential: 'Rotate credential',
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'not a valid id')

export const ownerRequestSchema = z
  .object({
    orgSlug: z.string().min(1).max(64),
    identityId: id,
    kind: z.enum(OWNER_REQUEST_KINDS),
    grantId: id.optional(),
    credentialId: id.optional(),
    justification: justificationSchema,
  })
  .refine((t) => (t.kind === 'revoke_grant' ? !!t.grantId && !t.credentialId : !!t.credentialId && !t.grantId), {
    message: 'Choose one grant to revoke, or one credential to revoke or rotate.',
    path: ['kind'],
  })
export type OwnerRequestInput = Omit<z.infer<typeof ownerRequestSchema>, 'orgSlug'>

export const decideOwnerRequestSchema = z
  .object({
    orgSlug: z.string().min(1).max(64),
    ownerRequestId: id,
    approve: z.boolean(),
    reason: z.string().trim().max(1000, 'Keep the reason under 1,000 characters.').optional(),
  })
  .refine((d) => d.approve || (d.reason ?? '').length >= 5, {
    message: 'Say why you reject it, in at least 5 characters: the owner is told.',
    path: ['reason'],
  })
export type DecideOwnerRequestInput = Omit<z.infer<typeof decideOwnerRequestSchema>, 'orgSlug'>

export const ownerActionsSettingSchema = z.object({ orgSlug: z.string().min(1).max(64), ownersActDirectly: z.boolean() })
