'use client'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useTransition } from 'react'
import { buildHref, type ParamChanges } from './url-state'

/** Changes the page's search params (a filter, a view): page 1 again when anything but the page changes. */
export function useUrlParams() {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const [pending, startTransition] = useTransition()
  const set = (changes: ParamChanges) => startTransition(() => router.push(buildHref(pathname, params, changes), { scroll: false }))
  return { params, set, pending }
}
