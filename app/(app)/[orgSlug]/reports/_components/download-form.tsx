'use client'
import { useState, type ReactNode } from 'react'
import { buttonClass } from '@/components/ui/button'
import { FormError } from '@/components/ui/field'

const DAY = 86_400_000

/** The same range rules as the server (lib/reports/schemas.ts), checked before the browser leaves for the download. */
export function rangeProblem(from: string, to: string, maxDays: number): string | null {
  if (!from || !to) return null
  if (from > to) return 'The start date is after the end date: swap them.'
  if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) >= maxDays * DAY)
    return `A download covers at most ${maxDays} days: choose a shorter range.`
  return null
}

/**
 * A plain GET form to a download route: the browser saves the answer as a file and stays on the page. Date ranges are
 * checked here first so a person sees what to fix instead of an error page.
 */
export function DownloadForm({
  action,
  label,
  maxDays,
  children,
  submit,
  testId,
  disabled,
}: {
  action: string
  label: string
  maxDays?: number
  children?: ReactNode
  submit: string
  testId: string
  disabled?: boolean
}) {
  const [error, setError] = useState<string | null>(null)
  return (
    <form
      method="get"
      action={action}
      aria-label={label}
      data-testid={testId}
      className="space-y-3"
      onSubmit={(e) => {
        const data = new FormData(e.currentTarget)
        const problem = maxDays ? rangeProblem(String(data.get('from') ?? ''), String(data.get('to') ?? ''), maxDays) : null
        setError(problem)
        if (problem) e.preventDefault()
      }}
    >
      {children}
      <FormError>{error}</FormError>
      <button type="submit" className={buttonClass('primary')} disabled={disabled}>
        {submit}
      </button>
    </form>
  )
}
