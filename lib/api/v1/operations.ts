import 'server-only'
import type { Operation } from '@/lib/api/operation'
import { listAuditEventsOp } from '@/lib/api/v1/audit'
import { closeCampaignOp, createCampaignOp, decideOp, getCampaignOp, launchCampaignOp, listCampaignItemsOp, listCampaignsOp } from '@/lib/api/v1/campaigns'
import { listCredentialsOp, rotateCredentialOp } from '@/lib/api/v1/credentials'
import { createTrustProviderOp, createTrustRuleOp, listTrustProvidersOp, testTrustTokenOp } from '@/lib/api/v1/federation'
import { acceptFindingRiskOp, listFindingsOp } from '@/lib/api/v1/findings'
import { listGrantsOp, revokeGrantOp } from '@/lib/api/v1/grants'
import { bulkUpsertIdentitiesOp, createIdentityOp, deleteIdentityOp, getIdentityOp, listIdentitiesOp, updateIdentityOp } from '@/lib/api/v1/identities'
import {
  createGatewayRouteOp,
  createGatewayRuleOp,
  deleteGatewayRouteOp,
  deleteGatewayRuleOp,
  getGatewayRouteOp,
  listGatewayCallsOp,
  listGatewayRoutesOp,
  listGatewayRulesOp,
  updateGatewayRouteOp,
} from '@/lib/api/v1/gateway'
import { createCredentialTemplateOp, createLeaseOp, listCredentialTemplatesOp, listLeasesOp, renewLeaseOp, revokeLeaseOp } from '@/lib/api/v1/leases'
import { getOperationOp } from '@/lib/api/v1/jobs'
import { getPoliciesOp, putPoliciesOp, simulatePoliciesOp } from '@/lib/api/v1/policies'
import { getMetricsOp } from '@/lib/api/v1/metrics'
import { downloadReportOp, getReportOp, startReportOp } from '@/lib/api/v1/reports'
import { assignOwnersByFilterOp, assignOwnersOp } from '@/lib/api/v1/owners'
import {
  createWebhookOp,
  deleteWebhookOp,
  getWebhookOp,
  listWebhookDeliveriesOp,
  listWebhooksOp,
  redeliverWebhookOp,
  updateWebhookOp,
} from '@/lib/api/v1/webhooks'

/** Every operation of /api/v1: the OpenAPI document and the contract tests enumerate this list. */
export const OPERATIONS = [
  listIdentitiesOp,
  getIdentityOp,
  createIdentityOp,
  bulkUpsertIdentitiesOp,
  updateIdentityOp,
  deleteIdentityOp,
  listCredentialsOp,
  rotateCredentialOp,
  listGrantsOp,
  revokeGrantOp,
  getOperationOp,
  listFindingsOp,
  acceptFindingRiskOp,
  assignOwnersOp,
  assignOwnersByFilterOp,
  listCampaignsOp,
  listCampaignItemsOp,
  getCampaignOp,
  createCampaignOp,
  launchCampaignOp,
  closeCampaignOp,
  decideOp,
  listAuditEventsOp,
  getMetricsOp,
  startReportOp,
  getReportOp,
  downloadReportOp,
  listTrustProvidersOp,
  createTrustProviderOp,
  createTrustRuleOp,
  testTrustTokenOp,
  listGatewayRoutesOp,
  createGatewayRouteOp,
  getGatewayRouteOp,
  updateGatewayRouteOp,
  deleteGatewayRouteOp,
  listGatewayRulesOp,
  createGatewayRuleOp,
  deleteGatewayRuleOp,
  listGatewayCallsOp,
  listWebhooksOp,
  createWebhookOp,
  getWebhookOp,
  updateWebhookOp,
  deleteWebhookOp,
  listWebhookDeliveriesOp,
  redeliverWebhookOp,
  listCredentialTemplatesOp,
  createCredentialTemplateOp,
  listLeasesOp,
  createLeaseOp,
  renewLeaseOp,
  revokeLeaseOp,
  getPoliciesOp,
  putPoliciesOp,
  simulatePoliciesOp,
] as unknown as Operation[]
