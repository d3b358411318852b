'use client'
import { useRouter } from 'next/navigation'
import { useEffect } from 'react'

/** Re-reads the page's server data every `ms` while `active` (a job is running). */
export function useAutoRefresh(active: boolean, ms: number) {
  const router = useRouter()
  useEffect(() => {
    if (!active) return
    const t = setInterval(() => router.refresh(), ms)
    return () => clearInterval(t)
  }, [active, ms, router])
}
