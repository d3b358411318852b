'use client'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { acceptSuggestionAction, assignOwnerAction } from '@/lib/ownership/actions'
import { ErrorText, Modal } from '../../_components/modal'
import { OwnershipFields, toFields, type FieldChoices, type Person, type TeamOption } from '../../_components/ownership-fields'

export type SuggestionDto = { ownerId: string | null; teamId: string | null; ownerName: string | null; teamName: string | null; confidence: number; band: 'high' | 'medium' | 'low'; reason: string }
const TONE = { high: 'green', medium: 'amber', low: 'gray' } as const

/** Edit owner, backup owner and team of one identity; suggestions can be accepted with one click. */
export function OwnershipDialog(props: {
  orgSlug: string
  identityId: string
  current: { ownerId: string | null; backupOwnerId: string | null; teamId: string | null }
  people: Person[]
  teams: TeamOption[]
  suggestions: SuggestionDto[]
}) {
  const router = useRouter()
  // Someone who left may still be recorded as owner: they are not offered, so the field starts at "keep current".
  const pick = (id: string | null, known: { id: string }[]) => (id === null ? '-' : known.some((k) => k.id === id) ? id : '')
  const initial: FieldChoices = { ownerId: pick(props.current.ownerId, props.people), backupOwnerId: pick(props.current.backupOwnerId, props.people), teamId: pick(props.current.teamId, props.teams) }
  const [open, setOpen] = useState(false)
  const [choices, setChoices] = useState(initial)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const save = async () => {
    const f = toFields(choices)
    const changed = {
      ...(f.ownerId !== undefined && f.ownerId !== props.current.ownerId ? { ownerId: f.ownerId } : {}),
      ...(f.backupOwnerId !== undefined && f.backupOwnerId !== props.current.backupOwnerId ? { backupOwnerId: f.backupOwnerId } : {}),
      ...(f.teamId !== undefined && f.teamId !== props.current.teamId ? { teamId: f.teamId } : {}),
    }
    if (Object.keys(changed).length === 0) return setOpen(false)
    setBusy(true)
    setError(null)
    const r = await assignOwnerAction({ orgSlug: props.orgSlug, identityIds: [props.identityId], fields: changed })
    setBusy(false)
    if (!r.ok) return setError(r.fieldErrors ? Object.values(r.fieldErrors).flat().join(' ') || r.error : r.error)
    setOpen(false)
    router.refresh()
  }
  const accept = async (s: SuggestionDto) => {
    setBusy(true)
    setError(null)
    const r = await acceptSuggestionAction({ orgSlug: props.orgSlug, identityId: props.identityId, ownerId: s.ownerId, teamId: s.teamId })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setOpen(false)
    router.refresh()
  }
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => {
          setChoices(initial)
          setError(null)
          setOpen(true)
        }}
      >
        Edit ownership
      </Button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title="Ownership"
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>Cancel</Button>
            <Button onClick={save} disabled={busy}>{busy ? 'Saving…' : 'Save'}</Button>
          </>
        }
      >
        {props.suggestions.length ? (
          <section aria-label="Suggested owners">
            <h3 className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">Suggestions</h3>
            <ul className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200" data-testid="suggestions">
              {props.suggestions.map((s) => (
                <li key={`${s.ownerId}|${s.teamId}`} className="flex items-center justify-between gap-3 px-3 py-2">
                  <div className="min-w-0">
                    <p className="font-medium">
                      {s.ownerName ?? 'No owner'}
                      {s.teamName ? <span className="font-normal text-slate-500"> · team {s.teamName}</span> : null}{' '}
                      <Badge tone={TONE[s.band]} title={`Confidence ${s.confidence}/100`}>{s.band}</Badge>
                    </p>
                    <p className="text-xs text-slate-500">{s.reason}</p>
                  </div>
                  <Button size="sm" onClick={() => accept(s)} disabled={busy}>Accept</Button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <OwnershipFields value={choices} onChange={setChoices} people={props.people} teams={props.teams} unchangedLabel="— keep current —" />
        <ErrorText>{error}</ErrorText>
      </Modal>
    </>
  )
}
