import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { request as pwRequest, type APIRequestContext } from '@playwright/test'
import { newToken } from '../lib/api-tokens/format'
import { API_SCOPES } from '../lib/api-tokens/schemas'
import { createTestOrg, expect, holdScheduledJobs, insert, query, signInAs, sql, test, type TestOrg } from './fixtures'

// The authorization matrix: every server action and every route handler, found by reading the code and the
// build (so a new one fails this test until it is listed below), called over HTTP as anonymous, as a person
// with no membership, as each role of the owning organization and as an admin of another organization.
// Each call is checked for the expected allow/deny; a denial must change nothing in the owning organization's
// data, must be audited (where there is an organization to audit in), and no answer to an outsider may carry
// the owning organization's data.

type Role = 'admin' | 'governance' | 'member' | 'auditor'
const ROLES: Role[] = ['admin', 'governance', 'member', 'auditor']
const ALL: Role[] = ROLES
const MANAGERS: Role[] = ['admin', 'governance']
/** report:export */
const REPORTERS: Role[] = ['admin', 'governance', 'auditor']
const DENIED_PERMISSION = 'You do not have permission to do this.'

type World = {
  a: TestOrg
  b: TestOrg
  sourceId: string
  importSourceId: string
  grantId: string
  credentialId: string
  findingId: string
  notificationId: string
  transferId: string
  activeCampaignId: string
  closeCampaignId: string
  draftCampaignId: string
  itemId: string
  bulkItemId: string
  failedJobId: string
  manualRemediationId: string
  revokeInvitationId: string
  resendInvitationId: string
  ownerGrantId: string
  ownerRequestId: string
  /** personal views of A's admin: one to rename, one to delete */
  renameViewId: string
  deleteViewId: string
  reportScheduleId: string
  /** an API token of A (rotated, then revoked, by the actions) */
  apiTokenId: string
  /** a token of A limited to identities[0] (its owner's; rotated, then revoked, by the actions) */
  identityTokenId: string
  /** a gateway route of A (changed, given rules), one to delete, and a rule of A's to remove */
  gatewayRouteId: string
  gatewayDeleteRouteId: string
  gatewayRuleId: string
  /** a trust provider of A (its status changed, given rules, tested against), one to delete; a rule to change, one to delete */
  trustProviderId: string
  trustDeleteProviderId: string
  trustRuleId: string
  trustDeleteRuleId: string
  /** A's webhook subscriptions (one to test, toggle and redeliver from, one to delete) and a failed delivery to redeliver */
  webhookId: string
  webhookDeleteId: string
  webhookDeliveryId: string
  /** leases: a PostgreSQL source whose connection variable is unset (roles cannot really be made), a template on it, an
   * active lease to renew and revoke, and two stuck ones (retry, forget) */
  lease: { sourceId: string; templateId: string; activeId: string; retryId: string; forgetId: string }
  /** a full-scope API token of B, for the /api/v1 routes */
  bToken: string
  /** a finished background export of A (its file written where the app reads it) */
  exportId: string
  spare: { id: string; email: string }[]
  stranger: { id: string; email: string }
}

type ActionEntry = {
  /** roles of the owning organization that hold the permission */
  allow: Role[]
  input: (w: World, slug: string) => Record<string, unknown>
  /** the first allowed role's call must succeed (ok: true); false when the domain refuses for a reason of its own */
  succeeds?: boolean
  /** the input names objects of the owning organization: another organization's admin must get a refusal */
  targetsObjects?: boolean
  /** exported but imported by no page, so the build gives it no id: nobody can call it (say why it still exists) */
  unreachable?: string
}

const futureDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

/** Every exported server action, by file and export name. */
const ACTIONS: Record<string, ActionEntry> = {
  'lib/audit/actions.ts#verifyAuditChainAction': { allow: ['admin', 'governance', 'auditor'], input: (_w, orgSlug) => ({ orgSlug }) },
  'lib/audit/actions.ts#createCheckpointAction': { allow: ['admin'], input: (_w, orgSlug) => ({ orgSlug }) },

  'lib/campaigns/actions.ts#previewScopeAction': { allow: MANAGERS, input: (_w, orgSlug) => ({ orgSlug, type: 'identity', scope: {} }) },
  'lib/campaigns/actions.ts#createCampaignAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, name: 'Matrix review', type: 'identity', scope: {}, fallbackReviewerId: w.a.users.governance.id, dueAt: futureDay(14) }),
    targetsObjects: true,
  },
  'lib/campaigns/actions.ts#launchCampaignAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, campaignId: w.draftCampaignId }),
    targetsObjects: true,
  },
  'lib/campaigns/actions.ts#remindCampaignAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, campaignId: w.closeCampaignId }),
    targetsObjects: true,
  },
  'lib/campaigns/actions.ts#previewCloseAction': { allow: MANAGERS, input: (w, orgSlug) => ({ orgSlug, campaignId: w.closeCampaignId }), targetsObjects: true },
  'lib/campaigns/actions.ts#closeCampaignAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, campaignId: w.closeCampaignId }),
    targetsObjects: true,
  },
  // Only the assigned reviewer (the member) decides their items: other roles hold the permission but are refused the object.
  'lib/campaigns/actions.ts#decideAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({ orgSlug, itemId: w.itemId, version: 0, decision: 'keep' }),
    targetsObjects: true,
  },
  'lib/campaigns/actions.ts#bulkDecideAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({ orgSlug, ids: [w.bulkItemId], decision: 'keep' }),
  },
  'lib/campaigns/actions.ts#reassignAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({ orgSlug, ids: [w.bulkItemId], toUserId: w.a.users.governance.id, reason: 'matrix reassign' }),
    succeeds: false,
  },
  'lib/campaigns/actions.ts#markViewedAction': { allow: ['member', 'admin', 'governance'], input: (w, orgSlug) => ({ orgSlug, ids: [w.bulkItemId] }) },

  'lib/findings/actions.ts#acceptFindingAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, findingId: w.findingId, until: futureDay(30), reason: 'Compensating control: network isolation' }),
    targetsObjects: true,
  },
  // Runs after acceptFindingAction above (the admin accepted the finding), so there is an acceptance to revoke.
  'lib/findings/actions.ts#revokeAcceptanceAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, findingId: w.findingId, reason: 'The compensating control was removed' }),
    targetsObjects: true,
  },
  'lib/findings/actions.ts#recomputeFindingsAction': { allow: MANAGERS, input: (_w, orgSlug) => ({ orgSlug }) },
  'lib/findings/actions.ts#updatePostureSettingsAction': {
    allow: ['admin'],
    input: (_w, orgSlug) => ({ orgSlug, dormantDays: 91, rotationMaxDays: 365, privilegedUnusedDays: 60, humanUseWindowDays: 30 }),
  },

  'lib/members/actions.ts#changeMemberRoleAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, userId: w.spare[2].id, role: 'auditor' }),
    targetsObjects: true,
  },
  'lib/members/actions.ts#inviteMemberAction': {
    allow: ['admin'],
    input: (_w, orgSlug) => ({ orgSlug, email: `invitee.${randomBytes(4).toString('hex')}@e2e.example`, role: 'member' }),
  },
  'lib/members/actions.ts#resendInvitationAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, invitationId: w.resendInvitationId }),
    targetsObjects: true,
  },
  'lib/members/actions.ts#revokeInvitationAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, invitationId: w.revokeInvitationId }),
    targetsObjects: true,
  },
  'lib/members/actions.ts#deactivateMemberAction': { allow: ['admin'], input: (w, orgSlug) => ({ orgSlug, userId: w.spare[0].id }), targetsObjects: true },
  'lib/members/actions.ts#removeMemberAction': { allow: ['admin'], input: (w, orgSlug) => ({ orgSlug, userId: w.spare[1].id }), targetsObjects: true },

  'lib/notifications/actions.ts#markNotificationsReadAction': { allow: ALL, input: (w, orgSlug) => ({ orgSlug, ids: [w.notificationId] }) },

  'lib/ownership/actions.ts#assignOwnerAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, identityIds: [w.a.identities[2].id], fields: { ownerId: w.a.users.governance.id } }),
    targetsObjects: true,
  },
  'lib/ownership/actions.ts#previewAssignByFilterAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, filter: { q: 'e2e-bot' }, fields: { ownerId: w.a.users.governance.id } }),
    targetsObjects: true,
  },
  'lib/ownership/actions.ts#bulkAssignByFilterAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({
      orgSlug,
      filter: { q: 'e2e-bot-003' },
      fields: { backupOwnerId: w.a.users.admin.id },
      requestId: `matrix-${randomBytes(4).toString('hex')}`,
    }),
    targetsObjects: true,
  },
  'lib/ownership/actions.ts#acceptSuggestionsByFilterAction': {
    allow: MANAGERS,
    input: (_w, orgSlug) => ({ orgSlug, filter: { q: 'e2e-bot-003' }, requestId: `matrix-${randomBytes(4).toString('hex')}` }),
  },
  'lib/ownership/actions.ts#bulkJobStatusAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, jobId: w.failedJobId }),
    targetsObjects: true,
    succeeds: false,
  },
  'lib/ownership/actions.ts#acceptSuggestionAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[3].id, ownerId: w.a.users.admin.id, teamId: null }),
    targetsObjects: true,
    succeeds: false,
  },
  'lib/ownership/actions.ts#decideTransferAction': {
    allow: ['governance', 'admin', 'member'],
    input: (w, orgSlug) => ({ orgSlug, transferId: w.transferId, accept: false }),
    targetsObjects: true,
  },
  'lib/ownership/actions.ts#cancelTransferAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({ orgSlug, transferId: w.transferId }),
    targetsObjects: true,
    succeeds: false,
  },
  'lib/ownership/actions.ts#requestTransferAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id, toUserId: w.a.users.admin.id, note: 'matrix' }),
    targetsObjects: true,
  },
  'lib/ownership/actions.ts#attestAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id, stillNeeded: true, note: 'still used by the nightly export' }),
    targetsObjects: true,
  },

  'lib/remediation/actions.ts#previewRemediationAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id, grantIds: [w.grantId], credentialIds: [], justification: 'matrix preview' }),
    targetsObjects: true,
  },
  'lib/remediation/actions.ts#requestRemediationAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({
      orgSlug,
      target: { kind: 'revoke_grant', identityId: w.a.identities[0].id, grantId: w.grantId },
      justification: 'not needed any more',
    }),
    targetsObjects: true,
  },
  'lib/remediation/actions.ts#requestBulkRemediationAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({
      orgSlug,
      identityId: w.a.identities[0].id,
      grantIds: [],
      credentialIds: [w.credentialId],
      justification: 'leaked in a log file',
    }),
    targetsObjects: true,
  },
  'lib/remediation/actions.ts#remediationStatusAction': {
    allow: ALL,
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id }),
    targetsObjects: true,
  },
  'lib/remediation/actions.ts#markRemediationDoneAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, remediationId: w.manualRemediationId, note: 'removed by hand' }),
    targetsObjects: true,
  },
  'lib/remediation/actions.ts#retryJobAction': { allow: MANAGERS, input: (w, orgSlug) => ({ orgSlug, jobId: w.failedJobId }), targetsObjects: true },

  // Only the owner (the member) may ask about their identity: admin and governance hold the permission but are refused the object.
  'lib/requests/actions.ts#createOwnerRequestAction': {
    allow: ['member', 'admin', 'governance'],
    input: (w, orgSlug) => ({
      orgSlug,
      identityId: w.a.identities[0].id,
      kind: 'revoke_grant',
      grantId: w.ownerGrantId,
      justification: 'the read replica moved',
    }),
    targetsObjects: true,
  },
  'lib/requests/actions.ts#decideOwnerRequestAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, ownerRequestId: w.ownerRequestId, approve: false, reason: 'matrix rejects it' }),
    targetsObjects: true,
  },
  'lib/requests/actions.ts#updateOwnerActionsSettingAction': { allow: ['admin'], input: (_w, orgSlug) => ({ orgSlug, ownersActDirectly: false }) },
  'lib/settings/actions.ts#updateLeakResponseSettingAction': { allow: ['admin'], input: (_w, orgSlug) => ({ orgSlug, leakResponse: 'notify' }) },
  // Any member keeps personal views; another person's personal view is not found (the admin's are renamed and deleted here).
  'lib/saved-views/actions.ts#createSavedViewAction': {
    allow: ALL,
    input: (_w, orgSlug) => ({ orgSlug, name: `Matrix view ${randomBytes(3).toString('hex')}`, params: 'kind=bot&finding=NHI5', shared: false }),
  },
  'lib/saved-views/actions.ts#updateSavedViewAction': {
    allow: ALL,
    input: (w, orgSlug) => ({ orgSlug, viewId: w.renameViewId, name: `Renamed ${randomBytes(3).toString('hex')}` }),
    targetsObjects: true,
  },
  'lib/report-schedules/actions.ts#createReportScheduleAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, kind: 'inventory-monthly', recipientIds: [w.a.users.auditor.id] }),
    targetsObjects: true,
  },
  'lib/report-schedules/actions.ts#deleteReportScheduleAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, scheduleId: w.reportScheduleId }),
    targetsObjects: true,
  },
  'lib/api-tokens/actions.ts#createApiTokenAction': {
    allow: ['admin'],
    input: (_w, orgSlug) => ({ orgSlug, name: 'Matrix token', scopes: ['identities:read'], expiresInDays: 30, allowedIps: '' }),
  },
  'lib/api-tokens/actions.ts#rotateApiTokenAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, tokenId: w.apiTokenId, overlapHours: 1 }),
    targetsObjects: true,
  },
  // Runs after the rotation above, so the token is still active for it.
  'lib/api-tokens/actions.ts#revokeApiTokenAction': { allow: ['admin'], input: (w, orgSlug) => ({ orgSlug, tokenId: w.apiTokenId }), targetsObjects: true },
  // An identity's own tokens: every role reaches the action; the domain lets only the identity's owner (A's member owns
  // identities[0]) or an admin through ("Only the owner…", an object-level refusal, audited).
  'lib/api-tokens/actions.ts#createIdentityTokenAction': {
    allow: ['member', 'admin', 'governance', 'auditor'],
    input: (w, orgSlug) => ({
      orgSlug,
      identityId: w.a.identities[0].id,
      name: 'Matrix owner token',
      scopes: ['identities:read'],
      expiresInDays: 30,
      allowedIps: '',
    }),
    targetsObjects: true,
  },
  'lib/api-tokens/actions.ts#rotateIdentityTokenAction': {
    allow: ['member', 'admin', 'governance', 'auditor'],
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id, tokenId: w.identityTokenId, overlapHours: 0 }),
    targetsObjects: true,
  },
  // Runs after the rotation above, so the token is still active for it.
  'lib/api-tokens/actions.ts#revokeIdentityTokenAction': {
    allow: ['member', 'admin', 'governance', 'auditor'],
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id, tokenId: w.identityTokenId }),
    targetsObjects: true,
  },
  'lib/gateway/actions.ts#createRouteAction': {
    allow: MANAGERS,
    input: (_w, orgSlug) => {
      const n = randomBytes(3).toString('hex')
      return { orgSlug, name: `Matrix route ${n}`, pathPrefix: `/matrix-${n}`, upstreamUrl: 'https://matrix.example/v1' }
    },
  },
  'lib/gateway/actions.ts#updateRouteAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, routeId: w.gatewayRouteId, ratePerSecond: 20, burst: 40 }),
    targetsObjects: true,
  },
  'lib/gateway/actions.ts#deleteRouteAction': { allow: MANAGERS, input: (w, orgSlug) => ({ orgSlug, routeId: w.gatewayDeleteRouteId }), targetsObjects: true },
  'lib/gateway/actions.ts#createRuleAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({
      orgSlug,
      routeId: w.gatewayRouteId,
      principalType: 'tag',
      tagKey: 'app',
      tagValue: 'matrix',
      methods: ['GET'],
      paths: '/items/*',
    }),
    targetsObjects: true,
  },
  'lib/gateway/actions.ts#deleteRuleAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, ruleId: w.gatewayRuleId, routeId: w.gatewayRouteId }),
    targetsObjects: true,
  },
  'lib/gateway/actions.ts#issueGatewayTokenAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, identityId: w.a.identities[0].id, name: 'Matrix gateway token', expiresInDays: 7 }),
    targetsObjects: true,
  },
  'lib/federation/actions.ts#createProviderAction': {
    allow: MANAGERS,
    input: (_w, orgSlug) => {
      const n = randomBytes(3).toString('hex')
      return { orgSlug, name: `Matrix issuer ${n}`, issuer: 'https://issuer.matrix.example', audiences: [`https://custodian.matrix.example/${n}`] }
    },
  },
  'lib/federation/actions.ts#setProviderStatusAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, providerId: w.trustProviderId, status: 'disabled' }),
    targetsObjects: true,
  },
  'lib/federation/actions.ts#deleteProviderAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, providerId: w.trustDeleteProviderId }),
    targetsObjects: true,
  },
  'lib/federation/actions.ts#createRuleAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({
      orgSlug,
      providerId: w.trustProviderId,
      mode: 'cedar',
      name: `matrix ${randomBytes(3).toString('hex')}`,
      identityId: w.a.identities[0].id,
      condition: 'context.claims.sub == "matrix"',
      scopes: ['identities:read'],
      audiences: ['custodian-api'],
    }),
    targetsObjects: true,
  },
  'lib/federation/actions.ts#setRuleStatusAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, ruleId: w.trustRuleId, status: 'disabled' }),
    targetsObjects: true,
  },
  'lib/federation/actions.ts#deleteRuleAction': { allow: MANAGERS, input: (w, orgSlug) => ({ orgSlug, ruleId: w.trustDeleteRuleId }), targetsObjects: true },
  // Reads only (issues and stores nothing): every role that sees the providers may test a token against them.
  'lib/federation/actions.ts#testTokenAction': {
    allow: ALL,
    input: (w, orgSlug) => ({ orgSlug, providerId: w.trustProviderId, claims: { sub: 'matrix' } }),
    targetsObjects: true,
  },
  'lib/webhooks/actions.ts#createWebhookAction': {
    allow: ['admin'],
    input: (_w, orgSlug) => ({ orgSlug, url: 'https://hooks.matrix.example/in', events: ['token.leaked'] }),
  },
  // Enabling an enabled subscription changes nothing: the test event and redelivery below still find it enabled.
  'lib/webhooks/actions.ts#setWebhookEnabledAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, subscriptionId: w.webhookId, enabled: true }),
    targetsObjects: true,
  },
  'lib/webhooks/actions.ts#deleteWebhookAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, subscriptionId: w.webhookDeleteId }),
    targetsObjects: true,
  },
  'lib/webhooks/actions.ts#sendTestWebhookAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, subscriptionId: w.webhookId }),
    targetsObjects: true,
  },
  'lib/webhooks/actions.ts#redeliverWebhookAction': {
    allow: ['admin'],
    input: (w, orgSlug) => ({ orgSlug, deliveryId: w.webhookDeliveryId }),
    targetsObjects: true,
  },
  'lib/leases/actions.ts#createTemplateAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({
      orgSlug,
      name: `Matrix template ${randomBytes(3).toString('hex')}`,
      sourceId: w.lease.sourceId,
      grants: ['SELECT ON app.orders'],
      defaultTtlSeconds: 300,
      maxTtlSeconds: 600,
      principalType: 'identity',
      identityId: w.a.identities[0].id,
    }),
    targetsObjects: true,
  },
  'lib/leases/actions.ts#setTemplateStatusAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, templateId: w.lease.templateId, status: 'active' }),
    targetsObjects: true,
  },
  // The source's connection variable is not set in the matrix: the role cannot be made, and the answer says so (502).
  'lib/leases/actions.ts#breakGlassLeaseAction': {
    allow: ['admin', 'governance', 'member'],
    input: (w, orgSlug) => ({ orgSlug, templateId: w.lease.templateId, identityId: w.a.identities[0].id, justification: 'matrix break-glass request' }),
    succeeds: false,
    targetsObjects: true,
  },
  'lib/leases/actions.ts#renewLeaseAction': {
    allow: ['admin', 'governance', 'member'],
    input: (w, orgSlug) => ({ orgSlug, leaseId: w.lease.activeId, ttlSeconds: 300 }),
    succeeds: false,
    targetsObjects: true,
  },
  'lib/leases/actions.ts#revokeLeaseAction': {
    allow: ['admin', 'governance', 'member'],
    input: (w, orgSlug) => ({ orgSlug, leaseId: w.lease.activeId }),
    targetsObjects: true,
  },
  'lib/leases/actions.ts#retryLeaseAction': { allow: MANAGERS, input: (w, orgSlug) => ({ orgSlug, leaseId: w.lease.retryId }), targetsObjects: true },
  'lib/leases/actions.ts#forgetLeaseAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, leaseId: w.lease.forgetId, justification: 'matrix: dropped by hand' }),
    targetsObjects: true,
  },
  'lib/policies/actions.ts#savePoliciesAction': {
    allow: MANAGERS,
    input: (_w, orgSlug) => ({ orgSlug, text: '@id("matrix")\nforbid (principal, action == Action::"api_call", resource) when { false };' }),
  },
  'lib/policies/actions.ts#importPoliciesAction': {
    allow: MANAGERS,
    input: (_w, orgSlug) => ({
      orgSlug,
      text: '@id("matrix-import")\nforbid (principal, action == Action::"api_call", resource) when { false };',
      fileName: 'matrix.cedar',
    }),
  },
  // Reads only: every role that sees the policies may ask the simulator; another organization's identity is not found.
  'lib/policies/actions.ts#simulatePoliciesAction': {
    allow: ALL,
    input: (w, orgSlug) => ({ orgSlug, action: 'exchange', identityId: w.a.identities[0].id, target: 'custodian-api' }),
    targetsObjects: true,
  },
  'lib/reports/actions.ts#startExportAction': {
    allow: REPORTERS,
    input: (w, orgSlug) => ({ orgSlug, params: { kind: 'campaign-evidence', campaign: w.activeCampaignId } }),
    targetsObjects: true,
  },
  'lib/saved-views/actions.ts#deleteSavedViewAction': { allow: ALL, input: (w, orgSlug) => ({ orgSlug, viewId: w.deleteViewId }), targetsObjects: true },

  'lib/sources/actions.ts#createImportSourceAction': {
    allow: MANAGERS,
    input: (_w, orgSlug) => ({ orgSlug, name: `Matrix CSV ${randomBytes(3).toString('hex')}`, format: 'generic_csv' }),
  },
  'lib/sources/actions.ts#requestSyncAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, sourceId: w.sourceId }),
    targetsObjects: true,
    succeeds: false,
  },
  'lib/sources/actions.ts#updateScheduleAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, sourceId: w.importSourceId, schedule: '' }),
    targetsObjects: true,
  },
  'lib/sources/actions.ts#updateSourceEnvironmentAction': {
    allow: MANAGERS,
    input: (w, orgSlug) => ({ orgSlug, sourceId: w.importSourceId, environment: 'unknown' }),
    targetsObjects: true,
  },
  'lib/sources/actions.ts#startImportAction': { allow: MANAGERS, input: (_w, orgSlug) => ({ orgSlug, uploadId: 'f'.repeat(32) }), succeeds: false },
  'lib/sources/actions.ts#importJobStatusAction': {
    allow: ALL,
    input: (w, orgSlug) => ({ orgSlug, jobId: w.failedJobId }),
    targetsObjects: true,
    unreachable: 'no page imports it (the import page polls the route handler)',
  },
}

/** Actions outside organizations: the sign-in form and sign-out. Each says why it is not an organization action. */
const PUBLIC_ACTIONS: Record<string, string> = {
  'lib/auth/actions.ts#signInDemoAction': 'the sign-in form itself (demo people only, checked by the provider)',
  'lib/auth/actions.ts#signInOidcAction': 'starts the OpenID Connect redirect',
  'lib/auth/actions.ts#signOutAction': 'ends the caller’s own session',
  'lib/members/actions.ts#acceptInvitationAction':
    'the invitee joining: not a member yet; the session must be the invited e-mail and the token names the invitation (tests/integration/members.test.ts)',
}

type RouteEntry = {
  /** 'token': /api/v1, reached with an API token only (a session cookie grants nothing there) */
  allow: Role[] | 'public' | 'token'
  /** why a route is public; for organization routes: the request to send */
  why?: string
  request?: (
    w: World,
    slug: string,
  ) => { path: string; method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: string; query?: Record<string, string>; contentType?: string }
  /** the first allowed role's call must answer 2xx */
  succeeds?: boolean
}

/** Every route handler (app/**\/route.ts) and method. */
const ROUTES: Record<string, RouteEntry> = {
  'app/api/auth/[...nextauth]/route.ts#GET': { allow: 'public', why: 'Auth.js endpoints (sign-in, callbacks, session, CSRF token)' },
  'app/api/auth/[...nextauth]/route.ts#POST': { allow: 'public', why: 'Auth.js endpoints (CSRF-checked by Auth.js)' },
  'app/api/health/route.ts#GET': { allow: 'public', why: 'liveness probe for load balancers; carries no data' },
  'app/api/orgs/[orgSlug]/imports/route.ts#POST': {
    allow: MANAGERS,
    request: (w, slug) => ({
      path: `/api/orgs/${slug}/imports`,
      method: 'POST',
      query: { format: 'generic_csv', sourceId: w.importSourceId, name: 'matrix.csv' },
      body: 'externalId,name,kind\nmx-1,matrix-one,bot\n',
    }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/policies/export/route.ts#GET': {
    allow: ALL,
    request: (_w, slug) => ({ path: `/api/orgs/${slug}/policies/export`, method: 'GET' }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/identities/export/route.ts#GET': {
    allow: ALL,
    request: (_w, slug) => ({ path: `/api/orgs/${slug}/identities/export`, method: 'GET', query: { kind: 'bot' } }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/reports/inventory/route.ts#GET': {
    allow: REPORTERS,
    request: (_w, slug) => ({ path: `/api/orgs/${slug}/reports/inventory`, method: 'GET' }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/reports/access/route.ts#GET': {
    allow: REPORTERS,
    request: (_w, slug) => ({ path: `/api/orgs/${slug}/reports/access`, method: 'GET' }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/reports/audit-log/route.ts#GET': {
    allow: REPORTERS,
    request: (_w, slug) => ({ path: `/api/orgs/${slug}/reports/audit-log`, method: 'GET', query: { from: futureDay(-7), to: futureDay(0), format: 'jsonl' } }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/reports/campaign-evidence/route.ts#GET': {
    allow: REPORTERS,
    request: (w, slug) => ({ path: `/api/orgs/${slug}/reports/campaign-evidence`, method: 'GET', query: { campaign: w.activeCampaignId, format: 'csv' } }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/reports/evidence-pack/route.ts#GET': {
    allow: REPORTERS,
    request: (w, slug) => ({ path: `/api/orgs/${slug}/reports/evidence-pack`, method: 'GET', query: { campaign: w.activeCampaignId } }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/reports/exports/[id]/route.ts#GET': {
    allow: REPORTERS,
    request: (w, slug) => ({ path: `/api/orgs/${slug}/reports/exports/${w.exportId}`, method: 'GET' }),
    succeeds: true,
  },
  'app/api/orgs/[orgSlug]/imports/[jobId]/route.ts#GET': {
    allow: ALL,
    request: (w, slug) => ({ path: `/api/orgs/${slug}/imports/${w.failedJobId}`, method: 'GET' }),
  },
  'app/api/v1/openapi.json/route.ts#GET': { allow: 'public', why: 'the API contract: operations and scopes, no data' },
  'app/api/v1/docs/route.ts#GET': { allow: 'public', why: 'the API reference page (renders the public contract)' },
  'app/api/v1/docs/scalar.js/route.ts#GET': { allow: 'public', why: 'the reference page’s script (a file from node_modules)' },
  'app/api/v1/secret-scanning/report/route.ts#POST': {
    allow: 'public',
    why: 'the secret scanner’s intake: no session or token, but refused (401) unless signed by the configured scanner key (tests/integration/api-v1-secret-scanning.test.ts)',
  },
  'app/api/v1/oauth/token/route.ts#POST': {
    allow: 'public',
    why: 'RFC 8693 token exchange: the subject token in the form is the credential, verified against a trusted issuer (tests/integration/federation.test.ts)',
  },
  'app/api/v1/oauth/revoke/route.ts#POST': {
    allow: 'public',
    why: 'RFC 7009 revocation, the end-of-task endpoint: the access token in the form is the credential; only a valid token is ended, and the answer is 200 either way (tests/integration/federation.test.ts)',
  },
  'app/metrics/route.ts#GET': {
    allow: 'public',
    why: 'the Prometheus scrape: no session or API token, its own bearer token METRICS_TOKEN (off and 404 when unset, 401 without it; tests/integration/telemetry.test.ts)',
  },
  'app/api/v1/oauth/jwks/route.ts#GET': { allow: 'public', why: 'an organization’s public signing keys, so anyone can verify its access tokens; no secrets' },
  'app/api/v1/federation/providers/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/federation/providers', method: 'GET' }) },
  // B's token: an empty audience list is refused (422); nothing is created in either organization.
  'app/api/v1/federation/providers/route.ts#POST': {
    allow: 'token',
    request: () => ({
      path: '/api/v1/federation/providers',
      method: 'POST',
      body: JSON.stringify({ name: 'matrix-probe', issuer: 'https://issuer.example', audiences: [] }),
    }),
  },
  // A's ids through B's token: 404 (B has no such provider), nothing created.
  'app/api/v1/federation/providers/[id]/rules/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: `/api/v1/federation/providers/${w.a.identities[0].id}/rules`,
      method: 'POST',
      body: JSON.stringify({
        name: 'matrix-probe',
        identityId: w.a.identities[0].id,
        condition: 'true',
        scopes: ['identities:read'],
        audiences: ['custodian-api'],
      }),
    }),
  },
  'app/api/v1/federation/test/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/federation/test', method: 'POST', body: JSON.stringify({ providerId: w.a.identities[0].id, claims: { sub: 'x' } }) }),
  },
  'app/api/v1/identities/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/identities', method: 'GET', query: { limit: '200' } }) },
  'app/api/v1/identities/[id]/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/identities/${w.a.identities[0].id}`, method: 'GET' }) },
  // B's token naming A's member as owner: refused (422), nothing created in either organization.
  'app/api/v1/identities/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/identities', method: 'POST', body: JSON.stringify({ name: 'matrix-probe', kind: 'bot', ownerId: w.a.users.admin.id }) }),
  },
  'app/api/v1/identities/[id]/route.ts#PATCH': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/identities/${w.a.identities[0].id}`, method: 'PATCH', body: JSON.stringify({ name: 'hijacked' }) }),
  },
  'app/api/v1/identities/[id]/route.ts#DELETE': { allow: 'token', request: (w) => ({ path: `/api/v1/identities/${w.a.identities[0].id}`, method: 'DELETE' }) },
  'app/api/v1/findings/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/findings', method: 'GET', query: { identity: w.a.identities[0].id } }),
  },
  'app/api/v1/audit-events/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/audit-events', method: 'GET', query: { limit: '200' } }) },
  'app/api/v1/credentials/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/credentials', method: 'GET', query: { identityId: w.a.identities[0].id, limit: '200' } }),
  },
  'app/api/v1/credentials/[id]/rotate/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/credentials/${w.credentialId}/rotate`, method: 'POST', body: JSON.stringify({ justification: 'matrix rotation' }) }),
  },
  'app/api/v1/grants/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/grants', method: 'GET', query: { identityId: w.a.identities[0].id, limit: '200' } }),
  },
  'app/api/v1/grants/[id]/revoke/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/grants/${w.grantId}/revoke`, method: 'POST', body: JSON.stringify({ justification: 'matrix revocation' }) }),
  },
  'app/api/v1/operations/[id]/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/operations/${w.failedJobId}`, method: 'GET' }) },
  'app/api/v1/findings/[id]/accept-risk/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: `/api/v1/findings/${w.findingId}/accept-risk`,
      method: 'POST',
      body: JSON.stringify({ until: futureDay(30), reason: 'Compensating control: network isolation' }),
    }),
  },
  'app/api/v1/owners/assign/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: '/api/v1/owners/assign',
      method: 'POST',
      body: JSON.stringify({ identityIds: [w.a.identities[0].id], ownerId: w.b.users.admin.id }),
    }),
  },
  'app/api/v1/campaigns/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/campaigns', method: 'GET', query: { limit: '200' } }) },
  'app/api/v1/campaigns/[id]/items/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/campaigns/${w.activeCampaignId}/items`, method: 'GET' }),
  },
  // B's token naming A's member as fallback reviewer: refused (422), no campaign in either organization.
  'app/api/v1/campaigns/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: '/api/v1/campaigns',
      method: 'POST',
      body: JSON.stringify({ name: 'matrix campaign', type: 'identity', scope: {}, fallbackReviewerId: w.a.users.governance.id, dueAt: futureDay(30) }),
    }),
  },
  'app/api/v1/campaigns/[id]/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/campaigns/${w.activeCampaignId}`, method: 'GET' }) },
  'app/api/v1/campaigns/[id]/launch/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/campaigns/${w.activeCampaignId}/launch`, method: 'POST' }),
  },
  'app/api/v1/campaigns/[id]/close/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/campaigns/${w.activeCampaignId}/close`, method: 'POST' }),
  },
  'app/api/v1/campaigns/[id]/decisions/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: `/api/v1/campaigns/${w.activeCampaignId}/decisions`,
      method: 'POST',
      body: JSON.stringify({ decisions: [{ itemId: 'matrix-item', decision: 'keep' }] }),
    }),
  },
  // B's own figures: nothing of A's in them.
  'app/api/v1/metrics/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/metrics', method: 'GET' }) },
  // B's token asking for the evidence of A's campaign: not found, no export started in either organization.
  'app/api/v1/reports/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/reports', method: 'POST', body: JSON.stringify({ kind: 'campaign-evidence', campaign: w.activeCampaignId }) }),
  },
  'app/api/v1/reports/[id]/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/reports/${w.exportId}`, method: 'GET' }) },
  'app/api/v1/reports/[id]/download/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/reports/${w.exportId}/download`, method: 'GET' }) },
  // B's token naming A's person as owner: refused (422) before any job starts; B's own identities are not A's business.
  'app/api/v1/policies/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/policies', method: 'GET' }) },
  // B's token with a text the validator refuses: 422, nothing saved in either organization.
  'app/api/v1/policies/route.ts#PUT': {
    allow: 'token',
    request: () => ({
      path: '/api/v1/policies',
      method: 'PUT',
      body: JSON.stringify({ text: 'forbid (principal, action, resource) when { principal.nope };' }),
    }),
  },
  // A's identity through B's token: 404.
  'app/api/v1/policies/simulate/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/policies/simulate', method: 'POST', body: JSON.stringify({ action: 'exchange', identityId: w.a.identities[0].id }) }),
  },
  'app/api/v1/gateway/routes/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/gateway/routes', method: 'GET' }) },
  // B's token creates a route in B: A is untouched.
  'app/api/v1/gateway/routes/route.ts#POST': {
    allow: 'token',
    request: () => ({
      path: '/api/v1/gateway/routes',
      method: 'POST',
      body: JSON.stringify({ name: 'B route', pathPrefix: `/b-${randomBytes(3).toString('hex')}`, upstreamUrl: 'https://b.example' }),
    }),
  },
  'app/api/v1/gateway/routes/[id]/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/gateway/routes/${w.gatewayRouteId}`, method: 'GET' }) },
  'app/api/v1/gateway/routes/[id]/route.ts#PATCH': {
    allow: 'token',
    request: (w) => ({
      path: `/api/v1/gateway/routes/${w.gatewayRouteId}`,
      method: 'PATCH',
      body: JSON.stringify({ upstreamUrl: 'https://attacker.example' }),
    }),
  },
  'app/api/v1/gateway/routes/[id]/route.ts#DELETE': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/gateway/routes/${w.gatewayRouteId}`, method: 'DELETE' }),
  },
  'app/api/v1/gateway/routes/[id]/rules/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/gateway/routes/${w.gatewayRouteId}/rules`, method: 'GET' }),
  },
  'app/api/v1/gateway/routes/[id]/rules/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: `/api/v1/gateway/routes/${w.gatewayRouteId}/rules`,
      method: 'POST',
      body: JSON.stringify({ principalType: 'tag', tagKey: 'app', tagValue: 'x', methods: ['*'], paths: ['/*'] }),
    }),
  },
  'app/api/v1/gateway/rules/[id]/route.ts#DELETE': { allow: 'token', request: (w) => ({ path: `/api/v1/gateway/rules/${w.gatewayRuleId}`, method: 'DELETE' }) },
  'app/api/v1/gateway/calls/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/gateway/calls', method: 'GET', query: { identityId: w.a.identities[0].id } }),
  },
  // NDJSON into A's source through B's token: 404 (not B's source), nothing read or written.
  'app/api/v1/identities/bulk/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: '/api/v1/identities/bulk',
      method: 'POST',
      query: { sourceId: w.sourceId },
      contentType: 'application/x-ndjson',
      body: '{"external_id":"matrix-probe","name":"matrix-probe"}\n',
    }),
  },
  // Subscriptions made here listen to token.leaked only: no allowed call of the matrix fires it, so no delivery waits on a retry.
  'app/api/v1/webhooks/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/webhooks', method: 'GET' }) },
  // B's token subscribes in B: A is untouched.
  'app/api/v1/webhooks/route.ts#POST': {
    allow: 'token',
    request: () => ({ path: '/api/v1/webhooks', method: 'POST', body: JSON.stringify({ url: 'https://b-hooks.example/in', events: ['token.leaked'] }) }),
  },
  'app/api/v1/webhooks/[id]/route.ts#GET': { allow: 'token', request: (w) => ({ path: `/api/v1/webhooks/${w.webhookId}`, method: 'GET' }) },
  'app/api/v1/webhooks/[id]/route.ts#PATCH': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/webhooks/${w.webhookId}`, method: 'PATCH', body: JSON.stringify({ enabled: false }) }),
  },
  'app/api/v1/webhooks/[id]/route.ts#DELETE': { allow: 'token', request: (w) => ({ path: `/api/v1/webhooks/${w.webhookId}`, method: 'DELETE' }) },
  'app/api/v1/webhooks/[id]/deliveries/route.ts#GET': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/webhooks/${w.webhookId}/deliveries`, method: 'GET' }),
  },
  'app/api/v1/webhook-deliveries/[id]/redeliver/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/webhook-deliveries/${w.webhookDeliveryId}/redeliver`, method: 'POST' }),
  },
  'app/api/v1/credential-templates/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/credential-templates', method: 'GET' }) },
  // B's token naming A's source, template, identity and leases: not found, A untouched.
  'app/api/v1/credential-templates/route.ts#POST': {
    allow: 'token',
    request: (w) => ({
      path: '/api/v1/credential-templates',
      method: 'POST',
      body: JSON.stringify({
        name: 'B template',
        sourceId: w.lease.sourceId,
        grants: ['SELECT ON app.orders'],
        principalType: 'tag',
        tagKey: 'team',
        tagValue: 'b',
      }),
    }),
  },
  'app/api/v1/leases/route.ts#GET': { allow: 'token', request: () => ({ path: '/api/v1/leases', method: 'GET' }) },
  'app/api/v1/leases/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/leases', method: 'POST', body: JSON.stringify({ templateId: w.lease.templateId, identityId: w.a.identities[0].id }) }),
  },
  'app/api/v1/leases/[id]/renew/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/leases/${w.lease.activeId}/renew`, method: 'POST', body: JSON.stringify({ ttlSeconds: 300 }) }),
  },
  'app/api/v1/leases/[id]/revoke/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: `/api/v1/leases/${w.lease.activeId}/revoke`, method: 'POST', body: '{}' }),
  },
  'app/api/v1/owners/assign-by-filter/route.ts#POST': {
    allow: 'token',
    request: (w) => ({ path: '/api/v1/owners/assign-by-filter', method: 'POST', body: JSON.stringify({ filter: {}, ownerId: w.a.users.admin.id }) }),
  },
}

// ---- discovery ---------------------------------------------------------------------------------------------

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'generated' && !e.name.startsWith('.')) walk(p, out)
    } else if (/\.(ts|tsx)$/.test(e.name)) out.push(p)
  }
  return out
}

/** Every export of every 'use server' file under app/, components/ and lib/. */
function discoverActions(): string[] {
  const found: string[] = []
  for (const file of ['app', 'components', 'lib'].flatMap((d) => walk(d))) {
    const text = fs.readFileSync(file, 'utf8')
    if (!/^\s*['"]use server['"]/.test(text)) continue
    for (const m of text.matchAll(/^export\s+(?:const|async\s+function|function)\s+(\w+)/gm)) found.push(`${file.split(path.sep).join('/')}#${m[1]}`)
  }
  return found.sort()
}

function discoverRoutes(): string[] {
  const found: string[] = []
  for (const file of walk('app').filter((f) => /route\.tsx?$/.test(f))) {
    const text = fs.readFileSync(file, 'utf8')
    const rel = file.split(path.sep).join('/')
    for (const m of text.matchAll(/^export\s+(?:async\s+function|const|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/gm)) found.push(`${rel}#${m[1]}`)
    // `export const { GET, POST } = handlers` style
    for (const m of text.matchAll(/^export\s+const\s+\{([^}]+)\}/gm)) {
      for (const name of m[1].split(',').map((s) => s.trim().split(':').pop()!.trim()))
        if (/^(GET|POST|PUT|PATCH|DELETE)$/.test(name)) found.push(`${rel}#${name}`)
    }
  }
  return [...new Set(found)].sort()
}

type Manifest = { node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }> }

function actionIds(): Map<string, { id: string; workers: string[] }> {
  const file = path.join(process.env.NEXT_DIST_DIR ?? '.next', 'server', 'server-reference-manifest.json')
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest
  const out = new Map<string, { id: string; workers: string[] }>()
  for (const [id, v] of Object.entries(m.node)) out.set(`${v.filename}#${v.exportedName}`, { id, workers: Object.keys(v.workers) })
  return out
}

/** A page URL whose server bundle holds the action: Next only runs an action posted to a page that imports it. */
function pagePath(workers: string[], slug: string, ids: { identityId: string; campaignId: string }): string {
  const pages = workers.filter((p) => p.endsWith('/page')).sort((x, y) => x.split('[').length - y.split('[').length || x.length - y.length)
  const worker = pages[0] ?? workers[0]
  return (
    worker
      .replace(/^app/, '')
      .replace(/\/page$/, '')
      .replace(/\/\([^)]+\)/g, '')
      .replace('[orgSlug]', slug)
      .replace('[identityId]', ids.identityId)
      .replace('[campaignId]', ids.campaignId) || '/'
  )
}

// ---- calling -----------------------------------------------------------------------------------------------

type Result = { status: number; text: string; value: { ok?: boolean; error?: string } | null }

/** Posts a server action the way Next's client does, and reads its return value from the RSC answer. */
async function callAction(ctx: APIRequestContext, baseURL: string, url: string, actionId: string, input: unknown): Promise<Result> {
  const res = await ctx.post(url, {
    headers: { 'Next-Action': actionId, Accept: 'text/x-component', 'Content-Type': 'text/plain;charset=UTF-8', Origin: baseURL },
    data: JSON.stringify([input]),
    maxRedirects: 0,
  })
  const text = await res.text()
  let value: Result['value'] = null
  for (const line of text.split('\n')) {
    const m = /^[0-9a-f]+:(\{.*\})$/.exec(line)
    if (!m) continue
    try {
      const v = JSON.parse(m[1])
      if (v && typeof v === 'object' && 'ok' in v) {
        value = v
        break
      }
    } catch {}
  }
  return { status: res.status(), text, value }
}

const TABLES = [
  'Membership',
  'Team',
  'Source',
  'Identity',
  'IdentityTag',
  'Credential',
  'Resource',
  'Entitlement',
  'Grant',
  'Finding',
  'Campaign',
  'ReviewItem',
  'Decision',
  'Job',
  'Remediation',
  'Notification',
  'OwnershipTransfer',
  'Attestation',
  'ApiToken',
  'GatewayRoute',
  'GatewayRule',
  'GatewayCall',
  'MetricSnapshot',
  'Invitation',
  'OwnerRequest',
  'SavedView',
  'AuditCheckpoint',
  'ReportSchedule',
  'WebhookSubscription',
  'WebhookDelivery',
  'CredentialTemplate',
  'Lease',
]

/** A digest of everything the organization owns except refused-attempt audit rows (which a denial adds). */
async function digest(orgId: string): Promise<string> {
  const h = createHash('sha256')
  for (const t of TABLES) {
    h.update(t).update(JSON.stringify(await query(sql`SELECT * FROM ${sql.ident(t)} WHERE "orgId" = ${orgId} ORDER BY "id"`)))
  }
  h.update(JSON.stringify(await query(sql`SELECT "settings", "slug", "name" FROM "Organization" WHERE "id" = ${orgId}`)))
  h.update(
    JSON.stringify(
      await query(
        sql`SELECT "id", "email", "name", "active" FROM "User" WHERE "id" IN (SELECT "userId" FROM "Membership" WHERE "orgId" = ${orgId}) ORDER BY "id"`,
      ),
    ),
  )
  h.update(JSON.stringify(await query(sql`SELECT "seq", "action" FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "outcome" <> 'denied' ORDER BY "seq"`)))
  return h.digest('hex')
}

/** Waits until the worker has finished what the allowed calls queued for the organization, so the next digest is stable. */
async function settle(orgId: string) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const [r] = await query<{ n: number | string }>(
      sql`SELECT COUNT(*) AS n FROM "Job" WHERE "orgId" = ${orgId} AND "status" IN ('queued', 'running', 'retrying')`,
    )
    if (Number(r.n) === 0) return
    await new Promise((res) => setTimeout(res, 250))
  }
  throw new Error('the organization’s jobs did not finish within a minute')
}

async function deniedCount(orgId: string, userId: string): Promise<number> {
  const [r] = await query<{ n: number | string }>(
    sql`SELECT COUNT(*) AS n FROM "AuditEvent" WHERE "orgId" = ${orgId} AND "actorId" = ${userId} AND "outcome" = 'denied'`,
  )
  return Number(r.n)
}

/** Strings that only the owning organization's data contains. */
function secretsOf(w: World): string[] {
  // Not the slug: outsiders name it in the URL they send, and a redirect echoes it back.
  return [
    ...w.a.identities.map((i) => i.id),
    ...w.a.identities.map((i) => i.name),
    ...Object.values(w.a.users).map((u) => u.email),
    w.grantId,
    w.findingId,
    w.itemId,
  ]
}

// ---- the world ---------------------------------------------------------------------------------------------

const id = () => `mx${randomBytes(10).toString('hex')}`

async function user(email: string, name: string) {
  const u = { id: id(), email, name }
  await insert('User', [{ id: u.id, email, name, active: true, demo: true, createdAt: new Date() }])
  return u
}

async function buildWorld(): Promise<World> {
  const now = new Date()
  const a = await createTestOrg({ identities: 4 })
  const b = await createTestOrg({ identities: 2 })
  const [orgA] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${a.slug}`)
  const orgId = orgA.id
  const [src] = await query<{ id: string }>(sql`SELECT "id" FROM "Source" WHERE "orgId" = ${orgId}`)
  const spare = []
  for (const n of [1, 2, 3]) {
    const u = await user(`spare${n}.${a.slug}@e2e.example`, `Spare ${n}`)
    await insert('Membership', [{ id: id(), orgId, userId: u.id, role: 'member', status: 'active', createdAt: now }])
    spare.push(u)
  }
  const stranger = await user(`stranger.${a.slug}@e2e.example`, 'Stranger')
  const importSourceId = id()
  await insert('Source', [
    {
      id: importSourceId,
      orgId,
      name: 'Matrix import',
      type: 'csv',
      config: JSON.stringify({ importFormat: 'generic_csv' }),
      status: 'active',
      createdAt: now,
    },
  ])
  const resourceId = id()
  const entitlementId = id()
  const grantId = id()
  const credentialId = id()
  const owned = a.identities[0].id
  await insert('Resource', [
    {
      id: resourceId,
      orgId,
      sourceId: src.id,
      externalId: `r-${resourceId}`,
      name: 'payments-db',
      type: 'database',
      environment: 'production',
      createdAt: now,
    },
  ])
  await insert('Entitlement', [
    { id: entitlementId, orgId, sourceId: src.id, resourceId, externalId: `e-${entitlementId}`, name: 'SELECT', privileged: false, createdAt: now },
  ])
  await insert('Grant', [{ id: grantId, orgId, identityId: owned, entitlementId, privileged: false, createdAt: now, status: 'active' }])
  await insert('Credential', [
    {
      id: credentialId,
      orgId,
      identityId: owned,
      externalId: `c-${credentialId}`,
      kind: 'token',
      fingerprint: createHash('sha256').update(credentialId).digest('hex'),
      createdAt: now,
      status: 'active',
    },
  ])
  // Two more grants of the member's identity: one to ask about, one already asked about (a pending owner request).
  const ownerGrantId = id()
  const requestGrantId = id()
  for (const [gid, name] of [
    [ownerGrantId, 'INSERT'],
    [requestGrantId, 'UPDATE'],
  ] as const) {
    const eid = id()
    await insert('Entitlement', [{ id: eid, orgId, sourceId: src.id, resourceId, externalId: `e-${eid}`, name, privileged: false, createdAt: now }])
    await insert('Grant', [{ id: gid, orgId, identityId: owned, entitlementId: eid, privileged: false, createdAt: now, status: 'active' }])
  }
  const ownerRequestId = id()
  await insert('OwnerRequest', [
    {
      id: ownerRequestId,
      orgId,
      identityId: owned,
      grantId: requestGrantId,
      kind: 'revoke_grant',
      status: 'pending',
      openKey: `grant:${requestGrantId}`,
      justification: 'matrix request',
      requestedById: a.users.member.id,
      direct: false,
      privileged: false,
      createdAt: now,
    },
  ])
  const invitation = () => ({
    id: id(),
    orgId,
    email: `invited.${randomBytes(4).toString('hex')}@e2e.example`,
    role: 'member',
    tokenHash: randomBytes(32).toString('hex'),
    status: 'pending',
    expiresAt: new Date(Date.now() + 7 * 86_400_000),
    invitedById: a.users.admin.id,
    createdAt: now,
    updatedAt: now,
  })
  const [revokeInvitation, resendInvitation] = [invitation(), invitation()]
  await insert('Invitation', [revokeInvitation, resendInvitation])
  const findingId = id()
  await insert('Finding', [
    {
      id: findingId,
      orgId,
      identityId: a.identities[1].id,
      rule: 'unowned',
      owaspCode: 'NHI1',
      severity: 'high',
      title: 'No owner',
      status: 'open',
      firstSeenAt: now,
      lastSeenAt: now,
    },
  ])
  const notificationId = id()
  await insert('Notification', [{ id: notificationId, orgId, userId: a.users.member.id, kind: 'test', title: 'Matrix notice', createdAt: now }])
  const transferId = id()
  await insert('OwnershipTransfer', [
    { id: transferId, orgId, identityId: owned, fromUserId: a.users.member.id, toUserId: a.users.governance.id, status: 'pending', createdAt: now },
  ])
  const campaign = (name: string, status: string) => ({
    id: id(),
    orgId,
    name,
    type: 'identity',
    scope: '{}',
    status,
    fallbackReviewerId: a.users.governance.id,
    secondStage: 'none',
    reminders: '[]',
    defaultDecision: 'open',
    justificationRule: 'revoke',
    autoRemediate: false,
    recurrence: 'none',
    currentStage: 1,
    graceDays: 0,
    fallbackCount: 0,
    itemCount: status === 'draft' ? 0 : 2,
    decidedCount: 0,
    dueAt: new Date(Date.now() + 14 * 86_400_000),
    createdById: a.users.governance.id,
    createdAt: now,
    launchedAt: status === 'draft' ? null : now,
  })
  const active = campaign('Matrix active', 'active')
  const closing = campaign('Matrix to close', 'active')
  const draft = campaign('Matrix draft', 'draft')
  await insert('Campaign', [active, closing, draft])
  const snapshot = (i: number) =>
    JSON.stringify({
      identity: { id: a.identities[i].id, name: a.identities[i].name, kind: 'api_key', environment: 'production', status: 'active', source: 'GitHub e2e' },
      owner: null,
      team: null,
      via: 'owner',
      privileged: false,
      lastUsedAt: null,
      findings: [],
      grantCount: 0,
    })
  const item = (campaignId: string, i: number) => ({
    id: id(),
    orgId,
    campaignId,
    identityId: a.identities[i].id,
    reviewerId: a.users.member.id,
    stage: 1,
    snapshot: snapshot(i),
    recommendation: 'keep',
    recommendationReason: 'used recently: keep',
    status: 'pending',
    version: 0,
    remediationStatus: 'none',
    privileged: false,
    identityName: a.identities[i].name,
    createdAt: now,
  })
  const items = [item(active.id, 0), item(active.id, 1), item(closing.id, 0), item(closing.id, 1)]
  await insert('ReviewItem', items)
  // The worker's nightly scheduler would recompute and snapshot a new organization within a minute, changing it
  // under the test (and the daily retention of gateway calls and token exchanges writes an audit row per run; the
  // nightly planner statistics are one job for the whole database, filed under the oldest organization).
  for (const org of [orgId, (await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${b.slug}`))[0].id])
    await holdScheduledJobs(org, ['recompute_findings', 'metrics_snapshot', 'prune_gateway_records'])
  // Likewise the hourly gateway-grants scheduler, once an allowed call has given A a tag rule: this hour's and the next
  // few hours' keyed jobs exist, so it enqueues nothing while the matrix runs.
  // And the hourly unusual-use learner (it learns the hour just ended, so from the previous hour on).
  const hours = [-1, 0, 1, 2, 3].map((h) => new Date(Date.now() + h * 3_600_000).toISOString().slice(0, 13))
  await holdScheduledJobs(orgId, ['sync_gateway_grants', 'learn_gateway_use'], hours)
  const failedJobId = id()
  await insert('Job', [
    {
      id: failedJobId,
      orgId,
      type: 'metrics_snapshot',
      status: 'failed',
      payload: '{}',
      idempotencyKey: `mx-${failedJobId}`,
      attempts: 5,
      maxAttempts: 5,
      runAt: now,
      lastError: 'matrix',
      progress: 0,
      total: 0,
      createdAt: now,
      updatedAt: now,
    },
  ])
  const manualRemediationId = id()
  await insert('Remediation', [
    {
      id: manualRemediationId,
      orgId,
      identityId: a.identities[3].id,
      kind: 'disable_identity',
      status: 'manual',
      openKey: `mx-${manualRemediationId}`,
      justification: 'matrix task',
      simulated: false,
      instructions: 'Disable it by hand',
      createdAt: now,
      updatedAt: now,
    },
  ])
  const [renameViewId, deleteViewId] = [id(), id()]
  await insert(
    'SavedView',
    [renameViewId, deleteViewId].map((v, i) => ({
      id: v,
      orgId,
      ownerId: a.users.admin.id,
      name: `Matrix saved ${i}`,
      params: '{"kind":"bot"}',
      shared: false,
      createdAt: now,
      updatedAt: now,
    })),
  )
  const reportScheduleId = id()
  await insert('ReportSchedule', [
    { id: reportScheduleId, orgId, report: 'inventory', cadence: 'weekly', recipients: JSON.stringify([a.users.auditor.id]), createdAt: now },
  ])
  const apiTokenId = id()
  const aToken = newToken()
  const bToken = newToken()
  const identityTokenId = id()
  const ownerToken = newToken()
  const tokenRow = (
    tid: string,
    org: string,
    t: { prefix: string; hash: string },
    scopes: string[],
    createdById: string | null = null,
    identityId: string | null = null,
  ) => ({
    id: tid,
    identityId,
    orgId: org,
    name: `Matrix API token ${tid.slice(-4)}`,
    prefix: t.prefix,
    hash: t.hash,
    scopes: JSON.stringify(scopes),
    allowedIps: '[]',
    expiresAt: new Date(Date.now() + 30 * 86_400_000),
    createdById,
    createdAt: now,
  })
  const [{ id: orgB }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${b.slug}`)
  await insert('ApiToken', [
    tokenRow(apiTokenId, orgId, aToken, ['identities:read']),
    tokenRow(identityTokenId, orgId, ownerToken, ['identities:read'], a.users.member.id, a.identities[0].id),
    // Every scope: B's token is refused A's data by its organization alone, never by a missing scope.
    // Created by B's admin: its person of record, for the calls that keep one (campaigns, decisions, exports).
    tokenRow(id(), orgB, bToken, [...API_SCOPES], b.users.admin.id),
  ])
  // A's gateway: its source, two routes (each a Resource) and a rule (an Entitlement granted to an identity).
  const gatewaySourceId = id()
  await insert('Source', [{ id: gatewaySourceId, orgId, name: 'Custodian gateway', type: 'gateway', config: '{}', status: 'active', createdAt: now }])
  const [gatewayRouteId, gatewayDeleteRouteId, gatewayRuleId] = [id(), id(), id()]
  for (const [rid, prefix] of [
    [gatewayRouteId, '/matrix-orders'],
    [gatewayDeleteRouteId, '/matrix-doomed'],
  ] as const) {
    const resId = id()
    await insert('Resource', [
      {
        id: resId,
        orgId,
        sourceId: gatewaySourceId,
        externalId: rid,
        name: `Route ${prefix}`,
        type: 'gateway_route',
        environment: 'production',
        createdAt: now,
      },
    ])
    await insert('GatewayRoute', [
      { id: rid, orgId, name: `Route ${prefix}`, pathPrefix: prefix, upstreamUrl: 'https://orders.example', resourceId: resId, createdAt: now, updatedAt: now },
    ])
  }
  const [{ id: routeResourceId }] = await query<{ id: string }>(sql`SELECT "resourceId" AS "id" FROM "GatewayRoute" WHERE "id" = ${gatewayRouteId}`)
  const ruleEntitlementId = id()
  await insert('Entitlement', [
    {
      id: ruleEntitlementId,
      orgId,
      sourceId: gatewaySourceId,
      resourceId: routeResourceId,
      externalId: gatewayRuleId,
      name: 'GET /*',
      privileged: false,
      createdAt: now,
    },
  ])
  await insert('GatewayRule', [
    {
      id: gatewayRuleId,
      orgId,
      routeId: gatewayRouteId,
      principalType: 'identity',
      identityId: owned,
      methods: '["GET"]',
      paths: '["/*"]',
      entitlementId: ruleEntitlementId,
      createdAt: now,
    },
  ])
  await insert('Grant', [{ id: id(), orgId, identityId: owned, entitlementId: ruleEntitlementId, privileged: false, createdAt: now, status: 'active' }])
  await insert('GatewayCall', [
    {
      id: id(),
      orgId,
      identityId: owned,
      routeId: gatewayRouteId,
      at: now,
      method: 'GET',
      path: '/orders/1',
      status: 200,
      latencyMs: 2,
      bytesIn: 0,
      bytesOut: 10,
      decision: 'allow',
    },
  ])
  // A's trust providers: one to change and test against (with a rule to change and one to delete), one to delete.
  const [trustProviderId, trustDeleteProviderId, trustRuleId, trustDeleteRuleId] = [id(), id(), id(), id()]
  for (const pid of [trustProviderId, trustDeleteProviderId]) {
    const audience = `https://custodian.matrix.example/${pid}`
    await insert('TrustProvider', [
      {
        id: pid,
        orgId,
        name: `Matrix provider ${pid}`,
        issuer: 'https://issuer.matrix.example',
        audiences: JSON.stringify([audience]),
        createdAt: now,
        updatedAt: now,
      },
    ])
    await insert('TrustProviderAudience', [{ id: id(), orgId, providerId: pid, issuer: 'https://issuer.matrix.example', audience }])
  }
  for (const [rid, name] of [
    [trustRuleId, 'matrix rule'],
    [trustDeleteRuleId, 'matrix doomed rule'],
  ] as const)
    await insert('TrustRule', [
      {
        id: rid,
        orgId,
        providerId: trustProviderId,
        name,
        identityId: owned,
        condition: 'context.claims.sub == "matrix"',
        scopes: '["identities:read"]',
        audiences: '["custodian-api"]',
        createdAt: now,
        updatedAt: now,
      },
    ])
  const lease = { sourceId: id(), templateId: id(), activeId: id(), retryId: id(), forgetId: id() }
  await insert('Source', [
    { id: lease.sourceId, orgId, name: 'Matrix PostgreSQL', type: 'postgresql', secretRef: 'MATRIX_LEASE_TARGET_URL_UNSET', createdAt: now },
  ])
  await insert('CredentialTemplate', [
    {
      id: lease.templateId,
      orgId,
      sourceId: lease.sourceId,
      name: 'Matrix template',
      grants: '[{"privilege":"SELECT","objectType":"table","schema":"app","name":"orders"}]',
      defaultTtlSeconds: 300,
      maxTtlSeconds: 3600,
      status: 'active',
      principalType: 'identity',
      identityId: owned,
      createdAt: now,
      updatedAt: now,
    },
  ])
  const leaseRow = (leaseId: string, status: string) => ({
    id: leaseId,
    orgId,
    templateId: lease.templateId,
    identityId: a.identities[0].id,
    roleName: `cust_matrix_${leaseId.slice(-10)}`,
    requestedByType: 'workload',
    requestedById: a.identities[0].id,
    requestedByLabel: a.identities[0].name,
    task: 'matrix',
    issuedAt: now,
    expiresAt: new Date(Date.now() + 1_800_000),
    maxExpiresAt: new Date(Date.now() + 3_600_000),
    status,
    endReason: status === 'stuck' ? 'revoked' : null,
    endAttempts: status === 'stuck' ? 5 : 0,
    lastError: status === 'stuck' ? 'matrix: the source cannot be reached' : null,
  })
  await insert('Lease', [leaseRow(lease.activeId, 'active'), leaseRow(lease.retryId, 'stuck'), leaseRow(lease.forgetId, 'stuck')])
  const exportId = id()
  const exportBytes = Buffer.from('grant_id,identity_id\n', 'utf8')
  fs.mkdirSync(path.join(process.cwd(), 'data', 'exports'), { recursive: true })
  fs.writeFileSync(path.join(process.cwd(), 'data', 'exports', `${exportId}.csv`), exportBytes)
  await insert('ReportExport', [
    {
      id: exportId,
      orgId,
      kind: 'access',
      format: 'csv',
      params: '{"kind":"access"}',
      requestedById: a.users.auditor.id,
      status: 'ready',
      rows: 1,
      bytes: exportBytes.length,
      sha256: createHash('sha256').update(exportBytes).digest('hex'),
      path: `${exportId}.csv`,
      filename: 'custodian-matrix-access.csv',
      createdAt: now,
      completedAt: now,
      expiresAt: new Date(Date.now() + 86_400_000),
    },
  ])
  // A's webhooks. The sealed secret is not one this server can open: a queued attempt fails at once (no retry waits
  // for a minute in settle()), and nothing leaves the machine.
  const [webhookId, webhookDeleteId, webhookDeliveryId] = [id(), id(), id()]
  await insert('WebhookSubscription', [
    {
      id: webhookId,
      orgId,
      url: 'https://hooks.matrix.example/in',
      events: '["identity.created"]',
      secretSealed: 'v1.x.y.z',
      secretPrefix: 'whsec_matr',
      enabled: true,
      createdAt: now,
      updatedAt: now,
    },
    {
      id: webhookDeleteId,
      orgId,
      url: 'https://hooks.matrix.example/doomed',
      events: '["campaign.closed"]',
      secretSealed: 'v1.x.y.z',
      secretPrefix: 'whsec_matr',
      enabled: true,
      createdAt: now,
      updatedAt: now,
    },
  ])
  await insert('WebhookDelivery', [
    {
      id: webhookDeliveryId,
      orgId,
      subscriptionId: webhookId,
      eventId: id(),
      eventType: 'identity.created',
      payload: '{"type":"identity.created"}',
      status: 'failed',
      attempts: 6,
      lastStatusCode: 500,
      createdAt: now,
      updatedAt: now,
    },
  ])
  return {
    webhookId,
    webhookDeleteId,
    webhookDeliveryId,
    apiTokenId,
    identityTokenId,
    lease,
    gatewayRouteId,
    gatewayDeleteRouteId,
    gatewayRuleId,
    trustProviderId,
    trustDeleteProviderId,
    trustRuleId,
    trustDeleteRuleId,
    bToken: bToken.token,
    exportId,
    reportScheduleId,
    renameViewId,
    deleteViewId,
    a,
    b,
    sourceId: src.id,
    importSourceId,
    grantId,
    credentialId,
    findingId,
    notificationId,
    transferId,
    activeCampaignId: active.id,
    closeCampaignId: closing.id,
    draftCampaignId: draft.id,
    itemId: items[0].id,
    bulkItemId: items[1].id,
    failedJobId,
    manualRemediationId,
    spare,
    stranger,
    revokeInvitationId: revokeInvitation.id,
    resendInvitationId: resendInvitation.id,
    ownerGrantId,
    ownerRequestId,
  }
}

// ---- the tests ---------------------------------------------------------------------------------------------

test.describe('authorization matrix', () => {
  test('every server action and route handler is in the matrix', () => {
    const actions = discoverActions()
    const listed = [...Object.keys(ACTIONS), ...Object.keys(PUBLIC_ACTIONS)].sort()
    expect(actions, 'a server action is missing from e2e/authz-matrix.spec.ts (or listed there but gone)').toEqual(listed)
    expect(discoverRoutes(), 'a route handler is missing from e2e/authz-matrix.spec.ts (or listed there but gone)').toEqual(Object.keys(ROUTES).sort())
  })

  test('each action allows exactly its roles; denials change nothing, are audited and leak nothing', async ({ baseURL }) => {
    test.setTimeout(600_000)
    const base = baseURL!
    const w = await buildWorld()
    const [{ id: orgA }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${w.a.slug}`)
    const [{ id: orgB }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${w.b.slug}`)
    const ids = actionIds()
    const session = async (email: string | null) => {
      const ctx = await pwRequest.newContext({ baseURL: base })
      if (email) await signInAs(ctx, email)
      return ctx
    }
    const personas = {
      anonymous: await session(null),
      stranger: await session(w.stranger.email),
      otherAdmin: await session(w.b.users.admin.email),
      ...Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await session(w.a.users[r].email)] as const))),
    } as Record<'anonymous' | 'stranger' | 'otherAdmin' | Role, APIRequestContext>
    const secrets = secretsOf(w)
    // What the caller put in the URL may come back (a sign-in redirect echoes it): that is not a leak.
    const leaks = (text: string, url = '') => secrets.filter((s) => text.includes(s) && !url.includes(s))

    let tested = 0
    for (const [key, entry] of Object.entries(ACTIONS)) {
      const ref = ids.get(key)
      // An action no page imports has no id in the build and cannot be called by anyone: the matrix must say so.
      expect(!ref, `${key}: reachable=${!!ref}, but the matrix says unreachable=${!!entry.unreachable}`).toBe(!!entry.unreachable)
      if (!ref) continue
      tested++
      const urlA = pagePath(ref.workers, w.a.slug, { identityId: w.a.identities[0].id, campaignId: w.activeCampaignId })
      const urlB = pagePath(ref.workers, w.b.slug, { identityId: w.b.identities[0].id, campaignId: 'none' })

      // Outsiders first: nothing may change in A, and no answer may carry A's data.
      for (const who of ['anonymous', 'stranger', 'otherAdmin'] as const) {
        const before = await digest(orgA)
        const url = who === 'otherAdmin' ? urlB : urlA
        const r = await callAction(personas[who], base, url, ref.id, entry.input(w, w.a.slug))
        expect(r.value?.ok, `${key} as ${who} must be refused`).not.toBe(true)
        if (who !== 'anonymous') expect(r.value?.error, `${key} as ${who}`).toBe('Organization not found')
        expect(await digest(orgA), `${key} as ${who} changed the organization`).toBe(before)
        expect(leaks(r.text, url), `${key} as ${who} leaked the organization's data`).toEqual([])
      }
      // Another organization's admin, in their own organization, naming A's objects.
      {
        const before = await digest(orgA)
        const deniedBefore = await deniedCount(orgB, w.b.users.admin.id)
        const r = await callAction(personas.otherAdmin, base, urlB, ref.id, entry.input(w, w.b.slug))
        expect(await digest(orgA), `${key} across organizations changed the owning organization`).toBe(before)
        // B's own page may re-render with B's identities, which B's fixtures name as A's do: A's ids and e-mails tell the two apart.
        expect(
          leaks(r.text, urlB).filter((x) => !w.b.identities.some((i) => i.name === x)),
          `${key} across organizations leaked the owning organization's data`,
        ).toEqual([])
        if (entry.targetsObjects) {
          expect(r.value?.ok, `${key} on another organization's objects must be refused`).toBe(false)
          expect(await deniedCount(orgB, w.b.users.admin.id), `${key}: the cross-organization refusal was not audited`).toBe(deniedBefore + 1)
        }
        // What the other admin did in their own organization (a recompute, say) finishes before the next call.
        await settle(orgB)
      }
      // Roles of the owning organization without the permission.
      for (const role of ROLES.filter((r) => !entry.allow.includes(r))) {
        const before = await digest(orgA)
        const deniedBefore = await deniedCount(orgA, w.a.users[role].id)
        const r = await callAction(personas[role], base, urlA, ref.id, entry.input(w, w.a.slug))
        expect(r.value, `${key} as ${role}: ${r.text.slice(0, 300)}`).toMatchObject({ ok: false, error: DENIED_PERMISSION })
        expect(await digest(orgA), `${key} as ${role} changed the organization`).toBe(before)
        expect(await deniedCount(orgA, w.a.users[role].id), `${key} as ${role}: the refusal was not audited`).toBe(deniedBefore + 1)
      }
      // Roles with the permission: never refused for want of it; the first one's call does what it says.
      for (const [i, role] of entry.allow.entries()) {
        const before = await digest(orgA)
        const deniedBefore = await deniedCount(orgA, w.a.users[role].id)
        const r = await callAction(personas[role], base, urlA, ref.id, entry.input(w, w.a.slug))
        expect(r.value, `${key} as ${role}: no result in ${r.status} ${r.text.slice(0, 300)}`).not.toBeNull()
        expect(r.value?.error, `${key} as ${role}`).not.toBe(DENIED_PERMISSION)
        if (i === 0 && entry.succeeds !== false) expect(r.value, `${key} as ${role}: ${r.value?.error ?? ''}`).toMatchObject({ ok: true })
        // An object-level refusal (not yours) changes nothing and is audited like a missing role.
        if (r.value?.ok === false && /another reviewer|not found|not yours|only the/i.test(r.value.error ?? '')) {
          expect(await digest(orgA), `${key} as ${role}: a refusal changed the organization`).toBe(before)
          expect(await deniedCount(orgA, w.a.users[role].id), `${key} as ${role}: the object-level refusal was not audited`).toBe(deniedBefore + 1)
        }
        await settle(orgA)
      }
    }
    expect(tested, 'actions called over HTTP').toBeGreaterThan(Object.keys(ACTIONS).length / 2)
    for (const ctx of Object.values(personas)) await ctx.dispose()
  })

  test('each route handler checks session, organization and role; cross-site requests are refused', async ({ baseURL }) => {
    // Every route × every persona, and the API's routes × their scopes: minutes on a loaded 2-core machine.
    test.setTimeout(300_000)
    const base = baseURL!
    const w = await buildWorld()
    const [{ id: orgA }] = await query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = ${w.a.slug}`)
    const session = async (email: string | null) => {
      const ctx = await pwRequest.newContext({ baseURL: base })
      if (email) await signInAs(ctx, email)
      return ctx
    }
    const secrets = secretsOf(w)
    for (const [key, entry] of Object.entries(ROUTES)) {
      if (entry.allow === 'public') {
        expect(entry.why, `${key} is public: say why`).toBeTruthy()
        continue
      }
      if (entry.allow === 'token') {
        // A session is no credential for /api/v1: every role of A gets 401; B's token never sees A's data.
        const req = entry.request!(w, w.a.slug)
        const url = req.path + (req.query ? `?${new URLSearchParams(req.query)}` : '')
        const body = req.body === undefined ? {} : { data: req.body }
        const json = { 'content-type': req.contentType ?? 'application/json' }
        for (const who of [null, ...ROLES.map((r) => w.a.users[r].email)]) {
          const ctx = await session(who)
          const res = await ctx.fetch(url, { method: req.method, headers: { ...json, origin: base }, ...body, maxRedirects: 0 })
          expect(res.status(), `${key} with ${who ?? 'no'} session`).toBe(401)
          expect(res.headers()['content-type']).toBe('application/problem+json')
          await ctx.dispose()
        }
        const ctx = await session(null)
        const before = await digest(orgA)
        const res = await ctx.fetch(url, { method: req.method, headers: { ...json, authorization: `Bearer ${w.bToken}` }, ...body, maxRedirects: 0 })
        const text = await res.text()
        // 422: a write naming A's member as owner is refused like any stranger.
        // 201: a create in B's own organization (a gateway route), which must leave A as it was.
        expect([200, 201, 404, 422], `${key} with B's token: ${text.slice(0, 200)}`).toContain(res.status())
        if (req.method !== 'GET') expect(await digest(orgA), `${key} with B's token changed A`).toBe(before)
        // B's fixtures name their identities as A's do: A's ids and people's e-mails tell the two apart. The id the
        // caller put in the URL comes back in the problem's `instance`: an echo, not a leak.
        const ofA = secrets.filter((s) => !w.b.identities.some((i) => i.name === s) && !url.includes(s))
        expect(
          ofA.filter((s) => text.includes(s)),
          `${key} with B's token leaked A's data`,
        ).toEqual([])
        await ctx.dispose()
        continue
      }
      const send = async (ctx: APIRequestContext, slug: string, origin: string | null = base) => {
        const req = entry.request!(w, slug)
        const qs = req.query ? `?${new URLSearchParams(req.query)}` : ''
        const headers: Record<string, string> = { 'content-type': 'text/csv', ...(origin ? { origin } : {}) }
        const res =
          req.method === 'GET'
            ? await ctx.get(req.path + qs, { headers, maxRedirects: 0 })
            : await ctx.post(req.path + qs, { headers, data: req.body ?? '', maxRedirects: 0 })
        return { status: res.status(), text: await res.text() }
      }
      const outsiders = { anonymous: await session(null), stranger: await session(w.stranger.email), otherAdmin: await session(w.b.users.admin.email) }
      for (const [who, ctx] of Object.entries(outsiders)) {
        const before = await digest(orgA)
        const r = await send(ctx, w.a.slug)
        expect([401, 403, 404], `${key} as ${who}: ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status)
        expect(await digest(orgA)).toBe(before)
        expect(
          secrets.filter((s) => r.text.includes(s)),
          `${key} as ${who} leaked data`,
        ).toEqual([])
        await ctx.dispose()
      }
      for (const role of ROLES) {
        const ctx = await session(w.a.users[role].email)
        const allowed = entry.allow.includes(role)
        const before = await digest(orgA)
        if (entry.request!(w, w.a.slug).method !== 'GET') {
          // A cross-site or origin-less unsafe request is refused before anything else, whoever sends it.
          for (const origin of ['http://evil.example', null]) {
            const x = await send(ctx, w.a.slug, origin)
            expect(x.status, `${key} as ${role} from ${origin ?? 'no origin'}`).toBe(403)
            expect(await digest(orgA)).toBe(before)
          }
        }
        const deniedBefore = await deniedCount(orgA, w.a.users[role].id)
        const r = await send(ctx, w.a.slug)
        if (allowed) {
          expect(r.status, `${key} as ${role}: ${r.text.slice(0, 200)}`).not.toBe(403)
          if (role === entry.allow[0] && entry.succeeds) expect(r.status, `${key} as ${role}: ${r.text.slice(0, 200)}`).toBeLessThan(300)
        } else {
          expect(r.status, `${key} as ${role}`).toBe(403)
          expect(await digest(orgA)).toBe(before)
          expect(await deniedCount(orgA, w.a.users[role].id)).toBe(deniedBefore + 1)
        }
        await settle(orgA)
        await ctx.dispose()
      }
    }
  })
})
