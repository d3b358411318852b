'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'

/** A new token's plaintext: shown once, with a copy button; it cannot be shown again after the dialog closes. */
export function SecretOnce({ token }: { token: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="space-y-2">
      <p className="font-medium text-slate-900">Copy the token now: Custodian keeps only a hash and cannot show it again.</p>
      <div className="flex items-center gap-2">
        <code data-testid="new-token" className="min-w-0 flex-1 rounded-md bg-slate-100 px-2 py-1.5 font-mono text-xs break-all text-slate-900 select-all">
          {token}
        </code>
        <Button
          type="button"
          size="sm"
          variant="secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(token).then(() => setCopied(true))
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="text-xs text-slate-600">
        Send it as <code className="font-mono">Authorization: Bearer …</code>. Store it in your secret manager, not in code.
      </p>
    </div>
  )
}

/** A dialog showing a new secret has one way on: Done (closing is the last chance to copy it). */
export function doneFooter(secret: string | null, close: () => void) {
  return secret ? (
    <Button type="button" onClick={close}>
      Done
    </Button>
  ) : undefined
}
