'use server'
import { z } from 'zod'
import { orgAction } from '@/lib/action'
import { createTemplate, forgetLease, renewLease, requestLease, retryLease, revokeLease, setTemplateStatus } from '@/lib/leases/mutations'
import { breakGlassSchema, createTemplateSchema, leaseIdSchema, renewLeaseSchema, setTemplateStatusSchema } from '@/lib/leases/schemas'

export const createTemplateAction = orgAction({
  schema: createTemplateSchema,
  permission: 'lease:manage',
  revalidate: '/credentials',
  run: async ({ ctx, input }) => {
    const { orgSlug: _, ...body } = input
    const t = await createTemplate(ctx, body)
    return { id: t.id }
  },
})

export const setTemplateStatusAction = orgAction({
  schema: setTemplateStatusSchema,
  permission: 'lease:manage',
  revalidate: '/credentials',
  run: async ({ ctx, input }) => {
    const t = await setTemplateStatus(ctx, input.templateId, input.status)
    return { id: t.id, status: input.status }
  },
})

/** Break-glass: the credential (with its password, once) goes back to the person who asked, nowhere else. */
export const breakGlassLeaseAction = orgAction({
  schema: breakGlassSchema,
  permission: 'lease:request',
  revalidate: (input) => [`/identities/${input.identityId}`, '/credentials'],
  run: async ({ ctx, input }) => {
    const l = await requestLease(ctx, {
      templateId: input.templateId,
      identityId: input.identityId,
      ttlSeconds: input.ttlSeconds,
      justification: input.justification,
    })
    return { ...l, issuedAt: l.issuedAt.toISOString(), expiresAt: l.expiresAt.toISOString(), maxExpiresAt: l.maxExpiresAt.toISOString() }
  },
})

export const renewLeaseAction = orgAction({
  schema: renewLeaseSchema,
  permission: 'lease:request',
  revalidate: ['/credentials', '/identities'],
  run: async ({ ctx, input }) => {
    const r = await renewLease(ctx, input.leaseId, input.ttlSeconds)
    return { leaseId: r.leaseId, expiresAt: r.expiresAt.toISOString() }
  },
})

export const revokeLeaseAction = orgAction({
  schema: leaseIdSchema,
  permission: 'lease:request',
  revalidate: ['/credentials', '/identities'],
  run: async ({ ctx, input }) => revokeLease(ctx, input.leaseId),
})

export const retryLeaseAction = orgAction({
  schema: leaseIdSchema,
  permission: 'lease:manage',
  revalidate: '/credentials',
  run: async ({ ctx, input }) => retryLease(ctx, input.leaseId),
})

export const forgetLeaseAction = orgAction({
  schema: leaseIdSchema.extend({
    justification: z.string().trim().min(10, 'Say why (at least 10 characters), e.g. “the DBA dropped the role by hand”.').max(1000),
  }),
  permission: 'lease:manage',
  revalidate: '/credentials',
  run: async ({ ctx, input }) => forgetLease(ctx, input.leaseId, input.justification),
})
