'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { acceptSuggestionsByFilterAction } from '@/lib/ownership/actions'
import { newRequestId, useCurrentFilter } from './bulk-assign-bar'
import { JobProgress } from './job-progress'
import { ErrorText, Modal } from './modal'

/** Accept every high-confidence owner suggestion for the unowned identities matching the current filter. */
export function SuggestionsBulkButton({ orgSlug, total }: { orgSlug: string; total: number }) {
  const filter = useCurrentFilter()
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [jobId, setJobId] = useState<string | null>(null)
  const start = async () => {
    setBusy(true)
    setError(null)
    const r = await acceptSuggestionsByFilterAction({ orgSlug, filter, requestId: newRequestId() })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setJobId(r.data.jobId)
    setOpen(false)
  }
  return (
    <div className="flex flex-col items-end gap-1">
      <Button variant="secondary" onClick={() => setOpen(true)} disabled={total === 0}>
        Accept suggested owners…
      </Button>
      {jobId ? (
        <div className="w-72">
          <JobProgress orgSlug={orgSlug} jobId={jobId} />
        </div>
      ) : null}
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title="Accept high-confidence owner suggestions"
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>Cancel</Button>
            <Button onClick={start} disabled={busy}>{busy ? 'Starting…' : 'Accept suggestions'}</Button>
          </>
        }
      >
        <p>
          Every <strong>unowned</strong> identity among the {new Intl.NumberFormat('en-US').format(total)} matching this filter gets the owner suggested with high
          confidence (an <code>owner</code> tag at the source, or its creator), if that person is an active member. Identities without such a suggestion stay unowned.
        </p>
        <p className="text-slate-500">Each change is audited with its reason and recorded as coming from a suggestion.</p>
        <ErrorText>{error}</ErrorText>
      </Modal>
    </div>
  )
}
