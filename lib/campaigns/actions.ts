'use server'
import { revalidatePath } from 'next/cache'
import { orgAction } from '@/lib/action'
import { previewClose } from './close-preview'
import { bulkDecide, decideItem, markViewed } from './decide'
import { countPopulation, createCampaign, launchCampaign, reassignItems, remindNow, requestClose } from './mutations'
import { bulkDecideSchema, campaignIdSchema, campaignInputSchema, decideSchema, markViewedSchema, reassignSchema, scopePreviewSchema } from './schemas'

export const previewScopeAction = orgAction({
  schema: scopePreviewSchema,
  permission: 'campaign:manage',
  run: async ({ ctx, input }) => countPopulation(ctx, { type: input.type, scope: JSON.stringify(input.scope), createdById: ctx.user.id }),
})

export const createCampaignAction = orgAction({
  schema: campaignInputSchema,
  permission: 'campaign:manage',
  run: async ({ ctx, input }) => {
    const r = await createCampaign(ctx, input)
    revalidatePath(`/${ctx.org.slug}/campaigns`)
    return { id: r.campaign.id, launch: r.launch }
  },
})

export const launchCampaignAction = orgAction({
  schema: campaignIdSchema,
  permission: 'campaign:manage',
  run: async ({ ctx, input }) => {
    const r = await launchCampaign(ctx, input.campaignId)
    revalidatePath(`/${ctx.org.slug}/campaigns/${input.campaignId}`)
    return r
  },
})

export const closeCampaignAction = orgAction({
  schema: campaignIdSchema,
  permission: 'campaign:manage',
  run: async ({ ctx, input }) => {
    const r = await requestClose(ctx, input.campaignId)
    revalidatePath(`/${ctx.org.slug}/campaigns/${input.campaignId}`)
    return r
  },
})

export const previewCloseAction = orgAction({
  schema: campaignIdSchema,
  permission: 'campaign:manage',
  run: async ({ ctx, input }) => previewClose(ctx, input.campaignId),
})

export const remindCampaignAction = orgAction({
  schema: campaignIdSchema,
  permission: 'campaign:manage',
  run: async ({ ctx, input }) => remindNow(ctx, input.campaignId),
})

export const decideAction = orgAction({
  schema: decideSchema,
  permission: 'review:decide',
  run: async ({ ctx, input }) => {
    const r = await decideItem(ctx, input)
    revalidatePath(`/${ctx.org.slug}/reviews`)
    return r
  },
})

export const bulkDecideAction = orgAction({
  schema: bulkDecideSchema,
  permission: 'review:decide',
  run: async ({ ctx, input }) => {
    const r = await bulkDecide(ctx, input)
    revalidatePath(`/${ctx.org.slug}/reviews`)
    return r
  },
})

export const reassignAction = orgAction({
  schema: reassignSchema,
  permission: 'review:decide',
  run: async ({ ctx, input }) => {
    const r = await reassignItems(ctx, input)
    revalidatePath(`/${ctx.org.slug}/reviews`)
    return r
  },
})

export const markViewedAction = orgAction({
  schema: markViewedSchema,
  permission: 'review:decide',
  run: async ({ ctx, input }) => markViewed(ctx, input.ids),
})
