'use client'
import { useState } from 'react'
import { Input } from '@/components/ui/field'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { updateScheduleAction } from '@/lib/sources/actions'
import { SCHEDULE_HINT } from '@/lib/sources/schemas'

export function ScheduleForm({ orgSlug, sourceId, schedule }: { orgSlug: string; sourceId: string; schedule: string | null }) {
  const [value, setValue] = useState(schedule ?? '')
  const save = useOrgAction(updateScheduleAction)
  const error = save.fieldErrors.schedule?.[0] ?? save.error
  return (
    <form className="flex flex-col gap-1" onSubmit={submitted(() => save.run({ orgSlug, sourceId, schedule: value }))}>
      <span className="flex items-center gap-1">
        <Input
          size="xs"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="manual only"
          title={SCHEDULE_HINT}
          aria-label="Sync schedule"
          className="w-24"
        />
        {value !== (schedule ?? '') ? (
          <button disabled={save.pending} className="text-xs font-medium text-indigo-700 hover:underline">
            {save.pending ? '…' : 'Save'}
          </button>
        ) : null}
      </span>
      {error ? <span className="text-xs text-rose-700">{error}</span> : null}
    </form>
  )
}
