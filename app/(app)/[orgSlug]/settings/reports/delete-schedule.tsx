'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { useOrgAction } from '@/components/ui/use-org-action'
import { deleteReportScheduleAction } from '@/lib/report-schedules/actions'

export function DeleteSchedule({ orgSlug, scheduleId, label }: { orgSlug: string; scheduleId: string; label: string }) {
  const [open, setOpen] = useState(false)
  const del = useOrgAction(deleteReportScheduleAction, { onSuccess: () => setOpen(false) })
  return (
    <>
      <Button size="sm" variant="ghost" className="text-rose-700" onClick={() => setOpen(true)} aria-label={`Stop sending: ${label}`}>
        Stop
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        busy={del.pending}
        title="Stop this scheduled report?"
        confirm={{
          label: del.pending ? 'Stopping…' : 'Stop sending',
          variant: 'danger',
          disabled: del.pending,
          onClick: () => del.run({ orgSlug, scheduleId }),
        }}
      >
        <p>{label}: nobody receives it any more. Reports already e-mailed keep working for people who may download them.</p>
        <FormError>{del.error}</FormError>
      </Dialog>
    </>
  )
}
