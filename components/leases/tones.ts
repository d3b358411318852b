import type { BadgeTone } from '@/components/ui/badge'

export const LEASE_STATUS_TONES: Record<string, BadgeTone> = {
  active: 'green',
  revoking: 'amber',
  expired: 'gray',
  revoked: 'gray',
  stuck: 'red',
  forgotten: 'violet',
}

/** 900 → "15 min", 5400 → "1 h 30 min". */
export function formatTtl(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`
  const h = Math.floor(seconds / 3600)
  const m = Math.round((seconds % 3600) / 60)
  return m ? `${h} h ${m} min` : `${h} h`
}
