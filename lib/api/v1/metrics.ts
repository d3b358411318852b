import 'server-only'
import { z } from 'zod'
import { defineOperation } from '@/lib/api/operation'
import { dateTime, iso } from '@/lib/api/v1/common'
import { getHeadlineMetrics } from '@/lib/dashboard/queries'
import { OWASP_CODES, SEVERITIES } from '@/lib/findings/rules'
import { IDENTITY_KINDS, IDENTITY_STATUSES } from '@/lib/inventory/schemas'
import { REMEDIATION_STATUSES } from '@/lib/remediation/schemas'

const count = z.number().int().min(0)
const countsOf = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, count])) as Record<T[number], typeof count>)

export const metricsSchema = z
  .object({
    asOf: dateTime.meta({ description: 'When the identity, credential and risk figures were counted.' }),
    live: z.boolean().meta({ description: '`false` for a large organization: those figures come from the daily snapshot the jobs keep.' }),
    identities: z.object({
      total: count.meta({ description: 'Identities not deleted.' }),
      byKind: countsOf(IDENTITY_KINDS).meta({ description: 'Identities not deleted, per kind.' }),
      byStatus: countsOf(IDENTITY_STATUSES),
      unowned: count,
      privileged: count,
      dormant: count.meta({ description: 'Not used within the organization’s dormancy period (sources that report usage).' }),
      highRisk: count.meta({ description: 'Risk score 70 or more.' }),
    }),
    credentials: z.object({
      active: count,
      rotationCompliance: z.number().min(0).max(100).nullable().meta({ description: 'Share of active credentials rotated within the limit, in %.' }),
      unused: count,
    }),
    findings: z.object({
      open: count,
      bySeverity: countsOf(SEVERITIES),
      byCode: countsOf(OWASP_CODES).meta({ description: 'Open findings per OWASP NHI Top 10 code.' }),
    }),
    campaigns: z.object({
      byStatus: z.record(z.string(), count),
      active: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          status: z.string(),
          itemCount: count,
          decidedCount: count,
          completion: z.number().min(0).max(100).nullable().meta({ description: 'Decided items in %.' }),
          dueAt: dateTime.nullable(),
        }),
      ),
    }),
    remediations: z.object({
      windowDays: z.number().int(),
      byStatus: countsOf(REMEDIATION_STATUSES).meta({ description: 'Remediations requested in the last `windowDays` days, per status.' }),
      decisionToApplied: z
        .object({ count, medianHours: z.number(), p90Hours: z.number() })
        .nullable()
        .meta({ description: 'Hours from a review decision to its applied remediation, over the most recent ones.' }),
    }),
  })
  .meta({ id: 'Metrics' })

export const getMetricsOp = defineOperation({
  operationId: 'getMetrics',
  method: 'get',
  path: '/metrics',
  summary: 'The dashboard’s headline figures',
  tag: 'Metrics',
  scope: 'identities:read',
  query: z.strictObject({}),
  success: {
    status: 200,
    description: 'Identities, credentials, findings, campaigns and remediations in numbers, as the dashboard shows them.',
    schema: metricsSchema,
  },
  problems: [400],
  run: async ({ ctx }) => {
    const m = await getHeadlineMetrics(ctx)
    return {
      ...m,
      asOf: m.asOf.toISOString(),
      campaigns: { ...m.campaigns, active: m.campaigns.active.map((c) => ({ ...c, dueAt: iso(c.dueAt) })) },
    }
  },
})
