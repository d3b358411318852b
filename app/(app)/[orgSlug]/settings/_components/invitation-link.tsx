'use client'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { formatDate } from '@/components/ui/format'

/** The invitation link, shown once: only its hash is stored, so it cannot be displayed again (re-send makes a new one). */
export function InvitationLink({
  path,
  email,
  expiresAt,
  emailed,
  onDone,
}: {
  path: string
  email: string
  expiresAt: string
  emailed: boolean
  onDone: () => void
}) {
  const link = `${window.location.origin}${path}`
  const [copied, setCopied] = useState<boolean | null>(null)
  return (
    <div className="space-y-2 rounded-md bg-emerald-50 p-3 text-sm ring-1 ring-emerald-200" data-testid="invitation-link">
      <p className="font-medium text-emerald-900">
        {emailed ? `Invitation e-mailed to ${email}.` : `Invitation for ${email} created.`} Copy the link now: it is shown only once.
      </p>
      <div className="flex gap-2">
        <label htmlFor="invitation-link-value" className="sr-only">
          Invitation link
        </label>
        <input
          id="invitation-link-value"
          readOnly
          value={link}
          onFocus={(e) => e.currentTarget.select()}
          className="min-w-0 flex-1 rounded-md border border-emerald-300 bg-white px-2 py-1.5 font-mono text-xs text-slate-800"
        />
        <Button
          size="sm"
          variant="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(link)
              setCopied(true)
            } catch {
              setCopied(false)
            }
          }}
        >
          {copied ? 'Copied' : 'Copy link'}
        </Button>
      </div>
      {copied === false ? <p className="text-xs text-amber-800">The browser did not allow copying; select the link and copy it by hand.</p> : null}
      <p className="text-xs text-emerald-900/80">
        It works once, for {email} only, until {formatDate(expiresAt)}. {emailed ? '' : 'No mail server is configured (SMTP_URL), so send it yourself.'}
      </p>
      <button type="button" className="text-xs font-medium text-emerald-900 underline" onClick={onDone}>
        Done
      </button>
    </div>
  )
}
