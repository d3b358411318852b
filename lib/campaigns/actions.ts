'use server'
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
  revalidate: '/campaigns',
  run: ({ ctx, input }) => createCampaign(ctx, input).then((r) => ({ id: r.campaign.id, launch: r.launch })),
})

const campaignPage = (input: { campaignId: string }) => `/campaigns/${input.campaignId}`
const manage = { schema: campaignIdSchema, permission: 'campaign:manage' } as const

export const launchCampaignAction = orgAction({ ...manage, revalidate: campaignPage, run: ({ ctx, input }) => launchCampaign(ctx, input.campaignId) })

export const closeCampaignAction = orgAction({ ...manage, revalidate: campaignPage, run: ({ ctx, input }) => requestClose(ctx, input.campaignId) })

export const previewCloseAction = orgAction({ ...manage, run: ({ ctx, input }) => previewClose(ctx, input.campaignId) })

export const remindCampaignAction = orgAction({ ...manage, run: ({ ctx, input }) => remindNow(ctx, input.campaignId) })

const review = { permission: 'review:decide', revalidate: '/reviews' } as const

export const decideAction = orgAction({ ...review, schema: decideSchema, run: ({ ctx, input }) => decideItem(ctx, input) })

export const bulkDecideAction = orgAction({ ...review, schema: bulkDecideSchema, run: ({ ctx, input }) => bulkDecide(ctx, input) })

export const reassignAction = orgAction({ ...review, schema: reassignSchema, run: ({ ctx, input }) => reassignItems(ctx, input) })

export const markViewedAction = orgAction({ schema: markViewedSchema, permission: 'review:decide', run: ({ ctx, input }) => markViewed(ctx, input.ids) })
