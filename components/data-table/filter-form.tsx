import Link from 'next/link'
import type { ReactNode } from 'react'
import { Button } from '@/components/ui/button'

/**
 * A list's filters as a plain GET form above its table (works before any script loads). `keep` carries params the
 * form does not show (the page size, a status tab); a new filter starts again at page 1.
 */
export function FilterForm({
  label,
  keep = {},
  resetHref,
  submitLabel = 'Filter',
  action,
  children,
  className = '',
}: {
  label: string
  keep?: Record<string, string | number | undefined>
  resetHref?: string
  submitLabel?: string
  action?: string
  children: ReactNode
  className?: string
}) {
  return (
    <form method="get" action={action} role="search" aria-label={label} className={`mb-4 flex flex-wrap items-end gap-3 text-sm ${className}`}>
      {Object.entries(keep).map(([k, v]) => (v === undefined || v === '' ? null : <input key={k} type="hidden" name={k} value={v} />))}
      {children}
      <Button type="submit">{submitLabel}</Button>
      {resetHref ? (
        <Link href={resetHref} className="px-1 py-2 font-medium text-indigo-700 hover:underline">
          Reset
        </Link>
      ) : null}
    </form>
  )
}
