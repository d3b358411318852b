import type { BadgeTone } from '@/components/ui/badge'

export const ROUTE_STATUS_TONES: Record<string, BadgeTone> = { active: 'green', disabled: 'amber' }
export const CALL_DECISION_TONES: Record<string, BadgeTone> = { allow: 'green', deny: 'red', error: 'amber' }

/** An HTTP status's tone: success green, client errors amber, server errors red. */
export function httpStatusTone(status: number): BadgeTone {
  if (status < 400) return 'green'
  if (status < 500) return 'amber'
  return 'red'
}
