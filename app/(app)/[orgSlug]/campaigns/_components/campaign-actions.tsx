'use client'
import { useEffect, useState } from 'react'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { countOf, formatNumber } from '@/components/ui/format'
import { useAutoRefresh } from '@/components/ui/use-auto-refresh'
import { useOrgAction } from '@/components/ui/use-org-action'
import type { ActionResult } from '@/lib/action'
import { closeCampaignAction, launchCampaignAction, previewCloseAction, remindCampaignAction } from '@/lib/campaigns/actions'
import type { ClosePreview } from '@/lib/campaigns/close-preview'

export function CampaignActions({ orgSlug, campaignId, status, stage }: { orgSlug: string; campaignId: string; status: string; stage: number }) {
  const [okText, setOkText] = useState('')
  const [closing, setClosing] = useState(false)
  const action = useOrgAction((call: () => Promise<ActionResult<unknown>>) => call(), { refresh: 'always' })
  const pending = action.pending
  const message = action.result && (action.result.ok ? { tone: 'ok', text: okText } : { tone: 'error', text: action.result.error })

  // While a launch or close job runs, follow its progress.
  useAutoRefresh(status === 'launching' || status === 'closing', 1500)

  const run = (fn: () => Promise<ActionResult<unknown>>, ok: string) => {
    setOkText(ok)
    void action.run(fn)
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-2">
        {status === 'draft' ? (
          <Button disabled={pending} onClick={() => run(() => launchCampaignAction({ orgSlug, campaignId }), 'Launch queued.')}>
            Launch
          </Button>
        ) : null}
        {status === 'active' ? (
          <>
            <Button
              variant="secondary"
              disabled={pending}
              onClick={() => run(() => remindCampaignAction({ orgSlug, campaignId }), 'Reminders are on their way to every reviewer with open items.')}
            >
              Remind reviewers
            </Button>
            <Button variant="danger" disabled={pending} onClick={() => setClosing(true)}>
              {stage === 2 ? 'Close sign-off' : 'Close campaign'}
            </Button>
          </>
        ) : null}
      </div>
      {closing ? (
        <CloseDialog
          orgSlug={orgSlug}
          campaignId={campaignId}
          onCancel={() => setClosing(false)}
          onConfirm={() => {
            setClosing(false)
            run(() => closeCampaignAction({ orgSlug, campaignId }), 'Closing…')
          }}
        />
      ) : null}
      {message ? (
        <p className={`text-sm ${message.tone === 'ok' ? 'text-emerald-700' : 'text-rose-700'}`} data-testid="action-message">
          {message.text}
        </p>
      ) : null}
    </div>
  )
}

/** Says what closing will do, counted on the server, before the person confirms. */
function CloseDialog({ orgSlug, campaignId, onCancel, onConfirm }: { orgSlug: string; campaignId: string; onCancel: () => void; onConfirm: () => void }) {
  const [preview, setPreview] = useState<ClosePreview | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    previewCloseAction({ orgSlug, campaignId })
      .then((r) => live && (r.ok ? setPreview(r.data) : setError(r.error)))
      .catch(() => live && setError('Could not count what closing would do. Try again.'))
    return () => {
      live = false
    }
  }, [orgSlug, campaignId])
  const p = preview
  const title = p && !p.final ? `Close stage 1 of “${p.campaign}”?` : p ? `Close “${p.campaign}”?` : 'Close the campaign?'
  return (
    <Dialog
      open
      onClose={onCancel}
      title={title}
      confirm={{ label: p && !p.final ? 'Close stage 1' : 'Close campaign', onClick: onConfirm, variant: 'danger', disabled: !p, testId: 'confirm-close' }}
    >
      <FormError>{error}</FormError>
      {!p && !error ? <p className="text-slate-500">Counting what closing would change…</p> : null}
      {p ? (
        <ul className="list-disc space-y-1.5 pl-5 text-slate-700" data-testid="close-preview">
          {p.open === 0 ? (
            <li>Every item has a decision.</li>
          ) : p.defaultDecision === 'open' ? (
            <li>{countOf(p.open, 'open item')} stay undecided: the default decision leaves them open.</li>
          ) : (
            <li>
              {countOf(p.open, 'open item')} get the default decision{p.defaultDecision === 'recommendation' ? ' (the recommendation)' : ''}:{' '}
              {[
                p.toKeep ? `${formatNumber(p.toKeep)} keep` : null,
                p.toRevoke ? `${formatNumber(p.toRevoke)} revoke` : null,
                p.stayOpen ? `${formatNumber(p.stayOpen)} stay undecided (no recommendation)` : null,
              ]
                .filter(Boolean)
                .join(', ')}
              .
            </li>
          )}
          {p.final ? (
            <li>
              <strong>{countOf(p.revocations, 'revocation')}</strong> {p.revocations === 1 ? 'is' : 'are'} then requested from the sources (revoke and reduce
              decisions).
            </li>
          ) : (
            <li>{countOf(p.toSignoff, 'item')} move to the governance sign-off stage; revocations wait until it closes.</li>
          )}
          <li>Decisions of this stage lock: reviewers can no longer change them.</li>
        </ul>
      ) : null}
    </Dialog>
  )
}
