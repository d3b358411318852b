'use client'
import { useState } from 'react'
import { SaveBar } from '@/components/ui/save-bar'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { updateLeakResponseSettingAction } from '@/lib/settings/actions'
import { LEAK_RESPONSE_LABELS, LEAK_RESPONSES, type LeakResponse } from '@/lib/settings/schemas'

export function LeakResponseSetting({ orgSlug, value }: { orgSlug: string; value: LeakResponse }) {
  const [choice, setChoice] = useState<LeakResponse>(value)
  const save = useOrgAction(updateLeakResponseSettingAction)
  return (
    <form className="space-y-3" aria-label="When a secret of ours is reported leaked" onSubmit={submitted(() => save.run({ orgSlug, leakResponse: choice }))}>
      <p className="text-sm text-slate-600">
        Secret scanning partners report strings found in public code. When one is the secret of a credential in this inventory, Custodian raises a critical NHI2
        finding on its identity and tells its owner. It can also act at the source:
      </p>
      <fieldset className="space-y-2">
        <legend className="sr-only">Response to a reported leak</legend>
        {LEAK_RESPONSES.map((r) => (
          <label key={r} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="leakResponse"
              value={r}
              className="mt-0.5 size-4 accent-indigo-600"
              checked={choice === r}
              onChange={() => setChoice(r)}
            />
            <span>
              <span className="font-medium text-slate-900">{LEAK_RESPONSE_LABELS[r].label}</span>
              <span className="block text-slate-500">{LEAK_RESPONSE_LABELS[r].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <SaveBar save={save} size="sm" disabled={choice === value} />
    </form>
  )
}
