'use client'
import { useAutoRefresh } from '@/components/ui/use-auto-refresh'

/** Re-reads the page every few seconds while jobs are queued or running. */
export function AutoRefresh({ active }: { active: boolean }) {
  useAutoRefresh(active, 3000)
  return active ? (
    <span className="text-xs text-slate-500" role="status">
      Updating while jobs run…
    </span>
  ) : null
}
