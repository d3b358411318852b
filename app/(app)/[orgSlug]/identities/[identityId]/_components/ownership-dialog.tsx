'use client'
import { useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { FormError } from '@/components/ui/field'
import { CONFIDENCE_TONES, toneOf } from '@/components/ui/tones'
import { fieldsOrError, useOrgAction } from '@/components/ui/use-org-action'
import { acceptSuggestionAction, assignOwnerAction } from '@/lib/ownership/actions'
import { OwnershipFields, toFields, type FieldChoices, type Person, type TeamOption } from '../../_components/ownership-fields'

export type SuggestionDto = {
  ownerId: string | null
  teamId: string | null
  ownerName: string | null
  teamName: string | null
  confidence: number
  band: 'high' | 'medium' | 'low'
  reason: string
}

/** Edit owner, backup owner and team of one identity; suggestions can be accepted with one click. */
export function OwnershipDialog(props: {
  orgSlug: string
  identityId: string
  current: { ownerId: string | null; backupOwnerId: string | null; teamId: string | null }
  people: Person[]
  teams: TeamOption[]
  suggestions: SuggestionDto[]
}) {
  // Someone who left may still be recorded as owner: they are not offered, so the field starts at "keep current".
  const pick = (id: string | null, known: { id: string }[]) => (id === null ? '-' : known.some((k) => k.id === id) ? id : '')
  const initial: FieldChoices = {
    ownerId: pick(props.current.ownerId, props.people),
    backupOwnerId: pick(props.current.backupOwnerId, props.people),
    teamId: pick(props.current.teamId, props.teams),
  }
  const [open, setOpen] = useState(false)
  const [choices, setChoices] = useState(initial)
  const close = () => setOpen(false)
  const assign = useOrgAction(assignOwnerAction, { onSuccess: close })
  const accept = useOrgAction(acceptSuggestionAction, { onSuccess: close })
  const busy = assign.pending || accept.pending
  const save = () => {
    const f = toFields(choices)
    const changed = {
      ...(f.ownerId !== undefined && f.ownerId !== props.current.ownerId ? { ownerId: f.ownerId } : {}),
      ...(f.backupOwnerId !== undefined && f.backupOwnerId !== props.current.backupOwnerId ? { backupOwnerId: f.backupOwnerId } : {}),
      ...(f.teamId !== undefined && f.teamId !== props.current.teamId ? { teamId: f.teamId } : {}),
    }
    if (Object.keys(changed).length === 0) return close()
    void assign.run({ orgSlug: props.orgSlug, identityIds: [props.identityId], fields: changed })
  }
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => {
          setChoices(initial)
          assign.reset()
          accept.reset()
          setOpen(true)
        }}
      >
        Edit ownership
      </Button>
      <Dialog open={open} onClose={close} title="Ownership" confirm={{ label: busy ? 'Saving…' : 'Save', onClick: save, disabled: busy }}>
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
                      <Badge tone={toneOf(CONFIDENCE_TONES, s.band)} title={`Confidence ${s.confidence}/100`}>
                        {s.band}
                      </Badge>
                    </p>
                    <p className="text-xs text-slate-500">{s.reason}</p>
                  </div>
                  <Button
                    size="sm"
                    onClick={() => accept.run({ orgSlug: props.orgSlug, identityId: props.identityId, ownerId: s.ownerId, teamId: s.teamId })}
                    disabled={busy}
                  >
                    Accept
                  </Button>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <OwnershipFields value={choices} onChange={setChoices} people={props.people} teams={props.teams} unchangedLabel="— keep current —" />
        <FormError>{fieldsOrError(assign.error, assign.fieldErrors) ?? accept.error}</FormError>
      </Dialog>
    </>
  )
}
