'use client'
import { Button } from '@/components/ui/button'
import { useOrgAction } from '@/components/ui/use-org-action'
import { createCheckpointAction } from '@/lib/audit/actions'

export function CheckpointButton({ orgSlug }: { orgSlug: string }) {
  const sign = useOrgAction(createCheckpointAction)
  return (
    <div className="flex items-center gap-2">
      {sign.result && !sign.result.ok ? <span className="text-sm text-rose-700">{sign.result.error}</span> : null}
      {sign.result?.ok && !sign.result.data ? <span className="text-sm text-slate-600">Nothing recorded yet to sign.</span> : null}
      <Button variant="secondary" size="sm" disabled={sign.pending} onClick={() => sign.run({ orgSlug })}>
        {sign.pending ? 'Signing…' : 'Sign checkpoint now'}
      </Button>
    </div>
  )
}
