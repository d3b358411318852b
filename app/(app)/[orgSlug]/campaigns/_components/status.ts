import type { BadgeTone } from '@/components/ui/badge'

export const STATUS_TONES: Record<string, BadgeTone> = { draft: 'gray', scheduled: 'blue', launching: 'indigo', active: 'green', closing: 'amber', closed: 'violet', canceled: 'gray' }
export const TYPE_SHORT: Record<string, string> = { identity: 'Identity attestation', entitlement: 'Entitlement review', credential: 'Credential review' }
export const REMEDIATION_TONES: Record<string, BadgeTone> = { none: 'gray', pending: 'amber', applied: 'green', failed: 'red', manual: 'blue' }
