'use client'
import { useRouter } from 'next/navigation'
import { useEffect } from 'react'

/** Re-reads the page every few seconds while jobs are queued or running. */
export function AutoRefresh({ active }: { active: boolean }) {
  const router = useRouter()
  useEffect(() => {
    if (!active) return
    const t = setInterval(() => router.refresh(), 3000)
    return () => clearInterval(t)
  }, [active, router])
  return active ? <span className="text-xs text-slate-500" role="status">Updating while jobs run…</span> : null
}
