import type { BadgeTone } from './badge'

// The colour of each status word, one map per vocabulary: the same value has the same colour on every page.

export const SEVERITY_TONES: Record<string, BadgeTone> = { critical: 'red', high: 'red', medium: 'amber', low: 'gray' }
export const JOB_STATUS_TONES: Record<string, BadgeTone> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'green',
  retrying: 'amber',
  failed: 'red',
  canceled: 'gray',
}
export const SYNC_STATUS_TONES: Record<string, BadgeTone> = { succeeded: 'green', partial: 'amber', failed: 'red' }
export const REMEDIATION_TONES: Record<string, BadgeTone> = {
  none: 'gray',
  pending: 'blue',
  applied: 'green',
  manual: 'amber',
  failed: 'red',
  canceled: 'gray',
}
export const CAMPAIGN_STATUS_TONES: Record<string, BadgeTone> = {
  draft: 'gray',
  scheduled: 'blue',
  launching: 'indigo',
  active: 'green',
  closing: 'amber',
  closed: 'violet',
  canceled: 'gray',
}
/** Review decisions and recommendations. */
export const DECISION_TONES: Record<string, BadgeTone> = { keep: 'green', revoke: 'red', reduce: 'amber', unsure: 'gray' }
export const REQUEST_STATUS_TONES: Record<string, BadgeTone> = { pending: 'blue', approved: 'green', rejected: 'red' }
export const OUTCOME_TONES: Record<string, BadgeTone> = { success: 'green', denied: 'amber', failure: 'red' }
export const IDENTITY_STATUS_TONES: Record<string, BadgeTone> = { active: 'green', deleted: 'gray', disabled: 'amber', quarantined: 'amber' }
/** Credentials and grants. */
export const ACCESS_STATUS_TONES: Record<string, BadgeTone> = { active: 'green' }
export const ENVIRONMENT_TONES: Record<string, BadgeTone> = { production: 'violet' }
export const CONFIDENCE_TONES: Record<string, BadgeTone> = { high: 'green', medium: 'amber', low: 'gray' }

/** The tone of a value in one of the maps above; gray for a value it does not know. */
export function toneOf(map: Record<string, BadgeTone>, value: string | null | undefined): BadgeTone {
  return (value ? map[value] : undefined) ?? 'gray'
}

/** Risk score 0–100: 70 and above high, 40 and above medium. */
export function riskTone(score: number): BadgeTone {
  return score >= 70 ? 'red' : score >= 40 ? 'amber' : 'green'
}
