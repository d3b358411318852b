'use client'
import { useRef } from 'react'
import { Button } from '@/components/ui/button'
import { Field, FormError } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { createReportScheduleAction } from '@/lib/report-schedules/actions'
import { SCHEDULED_REPORTS, SCHEDULE_KINDS, type ScheduledReportKind } from '@/lib/report-schedules/schemas'

type Person = { id: string; name: string; email: string; role: string }

const KIND_OPTIONS = SCHEDULE_KINDS.map((k) => ({ value: k, label: SCHEDULED_REPORTS[k].label }))

export function ScheduleForm({ orgSlug, people }: { orgSlug: string; people: Person[] }) {
  const form = useRef<HTMLFormElement>(null)
  const save = useOrgAction(createReportScheduleAction, { onSuccess: () => form.current?.reset() })
  const recipientsError = save.fieldErrors.recipientIds
  return (
    <form
      ref={form}
      noValidate
      className="max-w-3xl space-y-4"
      onSubmit={submitted((f) => {
        const data = new FormData(f)
        return save.run({ orgSlug, kind: String(data.get('kind') ?? '') as ScheduledReportKind, recipientIds: data.getAll('recipientIds').map(String) })
      })}
    >
      <Field label="Report" error={save.fieldErrors.kind}>
        <Select name="kind" defaultValue="inventory-monthly" options={KIND_OPTIONS} className="max-w-md" />
      </Field>
      <fieldset aria-describedby={recipientsError ? 'recipients-error' : 'recipients-hint'}>
        <legend className="text-sm font-medium text-slate-700">E-mail a link to</legend>
        <p id="recipients-hint" className="text-xs text-slate-500">
          Admins, governance members and auditors: the link asks them to sign in and downloads the report.
        </p>
        {people.length ? (
          <ul className="mt-2 grid gap-1 sm:grid-cols-2 lg:grid-cols-3" data-testid="recipient-choices">
            {people.map((p) => (
              <li key={p.id}>
                <label className="flex items-start gap-2 rounded-md px-1 py-1 text-sm text-slate-800 hover:bg-slate-50">
                  <input type="checkbox" name="recipientIds" value={p.id} className="mt-0.5 size-4 rounded border-slate-400 text-indigo-600" />
                  <span className="min-w-0">
                    <span className="block font-medium">{p.name}</span>
                    <span className="block truncate text-xs text-slate-500">
                      {p.email} · {p.role}
                    </span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">Nobody here can receive reports yet: invite an auditor or give someone the governance role.</p>
        )}
        {recipientsError ? (
          <p id="recipients-error" className="mt-1 text-xs font-medium text-rose-700">
            {recipientsError.join(' ')}
          </p>
        ) : null}
      </fieldset>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={save.pending || people.length === 0}>
          {save.pending ? 'Scheduling…' : 'Schedule report'}
        </Button>
        {save.result?.ok ? (
          <p role="status" className="text-sm text-emerald-700">
            Scheduled.
          </p>
        ) : null}
      </div>
      {save.error && !recipientsError && !save.fieldErrors.kind ? <FormError>{save.error}</FormError> : null}
    </form>
  )
}
