'use client'
import { useRef, useState, type ReactNode } from 'react'
import { buttonClass } from '@/components/ui/button'
import { FormError } from '@/components/ui/field'
import { errorText, useOrgAction } from '@/components/ui/use-org-action'
import { startExportAction } from '@/lib/reports/actions'
import type { ExportKind, ExportParams } from '@/lib/reports/schemas'

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
 * checked here first so a person sees what to fix instead of an error page. With `background`, the same report can be
 * written to a file by a job instead; with `background.only` (the evidence pack, minutes of work for a large
 * organization) that is the form's one button.
 */
export function DownloadForm({
  action,
  label,
  maxDays,
  children,
  submit,
  testId,
  disabled,
  background,
}: {
  action: string
  label: string
  maxDays?: number
  children?: ReactNode
  submit: string
  testId: string
  disabled?: boolean
  /** also offers to write the same report to a file in the background (the list of exports shows it) */
  background?: { orgSlug: string; kind: ExportKind; label: string; only?: boolean }
}) {
  const [error, setError] = useState<string | null>(null)
  const form = useRef<HTMLFormElement>(null)
  const start = useOrgAction(startExportAction)
  const startInBackground = () => {
    if (!background || !form.current) return
    const data = new FormData(form.current)
    const field = (name: string) => String(data.get(name) ?? '')
    const problem = maxDays ? rangeProblem(field('from'), field('to'), maxDays) : null
    setError(problem)
    if (problem) return
    const params: ExportParams =
      background.kind === 'audit-log'
        ? { kind: 'audit-log', from: field('from'), to: field('to'), format: field('format') === 'jsonl' ? 'jsonl' : 'csv' }
        : background.kind === 'campaign-evidence'
          ? { kind: 'campaign-evidence', campaign: field('campaign'), format: field('format') === 'pdf' ? 'pdf' : 'csv' }
          : background.kind === 'evidence-pack'
            ? { kind: 'evidence-pack', campaign: field('campaign'), from: field('from') || undefined, to: field('to') || undefined }
            : { kind: background.kind }
    void start.run({ orgSlug: background.orgSlug, params })
  }
  return (
    <form
      ref={form}
      method="get"
      action={action}
      aria-label={label}
      data-testid={testId}
      className="space-y-3"
      onSubmit={(e) => {
        if (background?.only) {
          e.preventDefault()
          startInBackground()
          return
        }
        const data = new FormData(e.currentTarget)
        const problem = maxDays ? rangeProblem(String(data.get('from') ?? ''), String(data.get('to') ?? ''), maxDays) : null
        setError(problem)
        if (problem) e.preventDefault()
      }}
    >
      {children}
      <FormError>{error ?? errorText(start.error, start.fieldErrors)}</FormError>
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={buttonClass('primary')} disabled={disabled || (background?.only && start.pending)}>
          {background?.only && start.pending ? 'Starting…' : submit}
        </button>
        {background && !background.only ? (
          <button type="button" className={buttonClass('secondary')} disabled={disabled || start.pending} onClick={startInBackground}>
            {start.pending ? 'Starting…' : background.label}
          </button>
        ) : null}
      </div>
    </form>
  )
}
