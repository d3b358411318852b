'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { formatCount } from '@/components/ui/format'
import { useOrgAction } from '@/components/ui/use-org-action'
import { acceptSuggestionsByFilterAction } from '@/lib/ownership/actions'
import { newRequestId, useCurrentFilter } from './bulk-assign-bar'
import { JobProgress } from './job-progress'

/** Accept every high-confidence owner suggestion for the unowned identities matching the current filter. */
export function SuggestionsBulkButton({ orgSlug, total, totalAtLeast = false }: { orgSlug: string; total: number; totalAtLeast?: boolean }) {
  const filter = useCurrentFilter()
  const [open, setOpen] = useState(false)
  const start = useOrgAction(acceptSuggestionsByFilterAction, { refresh: false, onSuccess: () => setOpen(false) })
  const jobId = start.result?.ok ? start.result.data.jobId : null
  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant="secondary" onClick={() => setOpen(true)} disabled={total === 0}>
        Accept suggested owners…
      </Button>
      <JobProgress orgSlug={orgSlug} jobId={jobId} className="w-72" />
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Accept high-confidence owner suggestions"
        confirm={{
          label: start.pending ? 'Starting…' : 'Accept suggestions',
          onClick: () => start.run({ orgSlug, filter, requestId: newRequestId() }),
          disabled: start.pending,
        }}
      >
        <p>
          Every <strong>unowned</strong> identity among the {formatCount(total, totalAtLeast)} matching this filter gets the owner suggested with high
          confidence (an <code>owner</code> tag at the source, or its creator), if that person is an active member. Identities without such a suggestion stay
          unowned.
        </p>
        <p className="text-slate-500">Each change is audited with its reason and recorded as coming from a suggestion.</p>
        <FormError>{start.error}</FormError>
      </Dialog>
    </div>
  )
}
