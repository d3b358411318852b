'use client'
import { useState } from 'react'
import { SaveBar } from '@/components/ui/save-bar'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { updateOwnerActionsSettingAction } from '@/lib/requests/actions'

export function OwnerActionsSetting({ orgSlug, value }: { orgSlug: string; value: boolean }) {
  const [on, setOn] = useState(value)
  const save = useOrgAction(updateOwnerActionsSettingAction)
  return (
    <form className="space-y-3" aria-label="Owner actions" onSubmit={submitted(() => save.run({ orgSlug, ownersActDirectly: on }))}>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="ownersActDirectly" className="mt-0.5 size-4 accent-indigo-600" checked={on} onChange={(e) => setOn(e.target.checked)} />
        <span>
          <span className="font-medium text-slate-900">Owners revoke and rotate non-privileged access directly</span>
          <span className="block text-slate-500">
            Off: every owner request waits for governance in Requests. On: owners revoke grants and revoke or rotate credentials of their own identities at
            once, when the grant is not privileged (for a credential: when its identity holds no privileged grant). Privileged items always wait for governance.
            Every action is audited.
          </span>
        </span>
      </label>
      <SaveBar save={save} size="sm" disabled={on === value} />
    </form>
  )
}
