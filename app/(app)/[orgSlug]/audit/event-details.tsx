'use client'
import { useRef, useState } from 'react'
import { Button, buttonClass } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'

export type AuditEventView = {
  id: string
  seq: number
  at: string
  actor: string
  actorType: string
  action: string
  target: string | null
  targetType: string | null
  targetId: string | null
  outcome: string
  justification: string | null
  change: string | null
  details: Record<string, unknown>
  hash: string
  prevHash: string
}

/** A detail value as text: lists of named things by name (with the id), objects as indented JSON. */
function show(v: unknown): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'id' in x)) {
    return v
      .map((x: Record<string, unknown>) => `${String(x.name ?? x.identity ?? x.id)} (${String(x.id)})${x.decision ? `: ${String(x.decision)}` : ''}`)
      .join('\n')
  }
  return JSON.stringify(v, null, 2)
}

function Row({ label, children, mono = false }: { label: string; children: React.ReactNode; mono?: boolean }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-3 border-b border-slate-100 py-1.5 last:border-0">
      <dt className="text-slate-500">{label}</dt>
      <dd className={`whitespace-pre-wrap wrap-anywhere text-slate-900 ${mono ? 'font-mono text-xs' : ''}`}>{children}</dd>
    </div>
  )
}

/** Opens one audit row with everything it records: who, what, the change in words, every detail, its place in the chain. */
export function EventDetails({ event }: { event: AuditEventView }) {
  const [open, setOpen] = useState(false)
  const opener = useRef<HTMLButtonElement>(null)
  // The dialog unmounts on close, so the focus goes back to the row's button by hand.
  const close = () => {
    setOpen(false)
    requestAnimationFrame(() => opener.current?.focus())
  }
  const entries = Object.entries(event.details)
  return (
    <>
      <button
        ref={opener}
        type="button"
        className={buttonClass('ghost', 'sm')}
        onClick={() => setOpen(true)}
        aria-label={`Details of event ${event.seq}`}
        data-testid="audit-details-button"
      >
        Details
      </button>
      {/* Mounted only while open (a page of rows holds one dialog, not fifty); left-aligned inside the right-aligned cell. */}
      {open ? (
        <div className="text-left">
          <Dialog
            open
            onClose={close}
            size="lg"
            title={
              <>
                Event #{event.seq}: <span className="font-mono text-sm">{event.action}</span>
              </>
            }
            footer={
              <Button type="button" variant="secondary" onClick={close}>
                Close
              </Button>
            }
            testId="audit-details"
          >
            <dl className="text-sm">
              <Row label="When (UTC)">{event.at}</Row>
              <Row label="Actor">
                {event.actor} <span className="text-slate-500">({event.actorType})</span>
              </Row>
              <Row label="Target">
                {event.target ?? '—'}
                {event.targetType ? (
                  <span className="text-slate-500">
                    {' '}
                    ({event.targetType}
                    {event.targetId ? ` ${event.targetId}` : ''})
                  </span>
                ) : null}
              </Row>
              <Row label="Outcome">{event.outcome}</Row>
              {event.change ? <Row label="What changed">{event.change}</Row> : null}
              <Row label="Justification">{event.justification ?? '—'}</Row>
            </dl>
            <h3 className="mt-4 mb-1 text-sm font-semibold text-slate-900">Details</h3>
            {entries.length ? (
              <dl className="text-sm" data-testid="audit-details-fields">
                {entries.map(([k, v]) => (
                  <Row key={k} label={k} mono={typeof v === 'object' && v !== null && !Array.isArray(v)}>
                    {show(v)}
                  </Row>
                ))}
              </dl>
            ) : (
              <p className="text-sm text-slate-600">No further details recorded.</p>
            )}
            <h3 className="mt-4 mb-1 text-sm font-semibold text-slate-900">Place in the chain</h3>
            <dl className="text-sm">
              <Row label="Event id" mono>
                {event.id}
              </Row>
              <Row label="Hash" mono>
                {event.hash}
              </Row>
              <Row label="Previous hash" mono>
                {event.prevHash || '(first event)'}
              </Row>
            </dl>
          </Dialog>
        </div>
      ) : null}
    </>
  )
}
