'use client'
import { useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { verifyAuditChainAction } from '@/lib/audit/actions'

export function VerifyChainButton({ orgSlug }: { orgSlug: string }) {
  const [pending, start] = useTransition()
  const [result, setResult] = useState<string | null>(null)
  const [ok, setOk] = useState<boolean | null>(null)
  return (
    <div className="flex items-center gap-3">
      {result ? <span className={`text-sm ${ok ? 'text-emerald-700' : 'text-rose-700'}`} data-testid="verify-result">{result}</span> : null}
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const r = await verifyAuditChainAction({ orgSlug })
            if (!r.ok) {
              setOk(false)
              setResult(r.error)
            } else {
              setOk(r.data.ok)
              setResult(r.data.ok ? `Chain intact: ${r.data.checked} events verified` : `Chain broken at event ${r.data.break?.seq}: ${r.data.break?.reason}`)
            }
          })
        }
      >
        {pending ? 'Verifying…' : 'Verify chain'}
      </Button>
    </div>
  )
}
