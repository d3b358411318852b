import { z } from 'zod'

/** The longest "dormant" window an organization may set: what the gateway's call retention must always cover (lib/gateway/retention.ts). */
export const MAX_DORMANT_DAYS = 730

export const orgSettingsSchema = z.object({
  dormantDays: z.number().int().min(7, 'at least 7 days').max(MAX_DORMANT_DAYS, `at most ${MAX_DORMANT_DAYS} days`).default(90),
  rotationMaxDays: z.number().int().min(1, 'at least 1 day').max(1825, 'at most 5 years').default(90),
  privilegedUnusedDays: z.number().int().min(7, 'at least 7 days').max(730, 'at most 730 days').default(60),
  humanUseWindowDays: z.number().int().min(1, 'at least 1 day').max(365, 'at most 365 days').default(90),
  attestationIntervalDays: z.number().int().min(7).max(730).default(180),
  /** a disabled identity stays quarantined (restorable) this long, then is deleted at the source; 0 = stays disabled, never deleted */
  quarantineSoakDays: z.number().int().min(0).max(365).default(7),
  /** owners revoke or rotate non-privileged access of their identities without waiting for governance */
  ownersActDirectly: z.boolean().default(false),
  /** what happens when secret scanning reports one of the organization's governed secrets in public (lib/api-tokens/leaked-credentials.ts) */
  leakResponse: z.enum(['notify', 'rotate', 'revoke']).default('notify'),
})
export type OrgSettings = z.infer<typeof orgSettingsSchema>

export const LEAK_RESPONSES = ['notify', 'rotate', 'revoke'] as const
export type LeakResponse = (typeof LEAK_RESPONSES)[number]
export const LEAK_RESPONSE_LABELS: Record<LeakResponse, { label: string; hint: string }> = {
  notify: { label: 'Notify only', hint: 'Raise a finding and tell the owner; people decide what to do.' },
  rotate: { label: 'Rotate', hint: 'Also rotate the secret through its source’s connector (a manual task where the connector cannot).' },
  revoke: { label: 'Revoke', hint: 'Also revoke the secret through its source’s connector (a manual task where the connector cannot).' },
}
export const leakResponseSettingSchema = z.object({ orgSlug: z.string().min(1).max(64), leakResponse: z.enum(LEAK_RESPONSES) })

/** Stored settings are merged over defaults; anything unreadable falls back to the default. */
export function parseOrgSettings(json: string | null | undefined): OrgSettings {
  let raw: unknown = {}
  try {
    raw = JSON.parse(json || '{}')
  } catch {
    raw = {}
  }
  const parsed = orgSettingsSchema.safeParse(raw)
  return parsed.success ? parsed.data : orgSettingsSchema.parse({})
}

/** The stored settings object as written (keys of other features kept), {} when unreadable: an update merges over it. */
export function storedSettings(json: string | null | undefined): Record<string, unknown> {
  try {
    const raw = JSON.parse(json || '{}')
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw
  } catch {}
  return {}
}
