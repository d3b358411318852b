'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { verifyAuditChainAction } from '@/lib/audit/actions'

export function VerifyChainButton({ orgSlug }: { orgSlug: string }) {
  const verify = useOrgAction(verifyAuditChainAction, { refresh: false })
  const r = verify.result
  const shown = !r
    ? null
    : !r.ok
      ? { ok: false, text: r.error, detail: undefined }
      : {
          ok: r.data.ok,
          text: r.data.ok
            ? `Chain intact: ${r.data.checked} events verified${r.data.checkpoints ? `, ${r.data.checkpoints} signed checkpoints` : ''}`
            : `Chain broken at event ${r.data.break?.seq}: ${r.data.break?.reason}`,
          detail: r.data.ok
            ? undefined
            : [r.data.break?.eventId ? `event id ${r.data.break.eventId}` : '', r.data.break?.detail ?? ''].filter(Boolean).join(' · '),
        }
  return (
    <div className="flex items-center gap-3">
      {shown ? (
        <span className={`text-sm ${shown.ok ? 'text-emerald-700' : 'text-rose-700'}`} data-testid="verify-result" title={shown.detail || undefined}>
          {shown.text}
        </span>
      ) : null}
      <Button variant="secondary" disabled={verify.pending} onClick={() => verify.run({ orgSlug })}>
        {verify.pending ? 'Verifying…' : 'Verify chain'}
      </Button>
    </div>
  )
}
