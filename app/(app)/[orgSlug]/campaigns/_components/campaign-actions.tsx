'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { closeCampaignAction, launchCampaignAction, remindCampaignAction } from '@/lib/campaigns/actions'

export function CampaignActions({ orgSlug, campaignId, status, stage }: { orgSlug: string; campaignId: string; status: string; stage: number }) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)

  // While a launch or close job runs, follow its progress.
  useEffect(() => {
    if (status !== 'launching' && status !== 'closing') return
    const t = setInterval(() => router.refresh(), 1500)
    return () => clearInterval(t)
  }, [status, router])

  const run = (fn: () => Promise<{ ok: true; data: unknown } | { ok: false; error: string }>, ok: string) =>
    startTransition(async () => {
      const r = await fn()
      setMessage(r.ok ? { tone: 'ok', text: ok } : { tone: 'error', text: r.error })
      router.refresh()
    })

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        {status === 'draft' ? (
          <Button disabled={pending} onClick={() => run(() => launchCampaignAction({ orgSlug, campaignId }), 'Launch queued.')}>Launch</Button>
        ) : null}
        {status === 'active' ? (
          <>
            <Button variant="secondary" disabled={pending} onClick={() => run(() => remindCampaignAction({ orgSlug, campaignId }), 'Reminders are on their way to every reviewer with open items.')}>
              Remind reviewers
            </Button>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() => {
                if (window.confirm(stage === 1 ? 'Close this stage? Open items get the default decision and decisions lock.' : 'Close the campaign? Decisions lock and revokes are handed to remediation.')) {
                  run(() => closeCampaignAction({ orgSlug, campaignId }), 'Closing…')
                }
              }}
            >
              {stage === 2 ? 'Close sign-off' : 'Close campaign'}
            </Button>
          </>
        ) : null}
      </div>
      {message ? <p className={`text-sm ${message.tone === 'ok' ? 'text-emerald-700' : 'text-rose-700'}`} data-testid="action-message">{message.text}</p> : null}
    </div>
  )
}
