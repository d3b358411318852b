'use client'
import { useId } from 'react'
import { PeoplePicker } from '@/components/ui/people-picker'

export type Person = { id: string; name: string; email: string }
export type TeamOption = { id: string; name: string }
/** '' leaves the field unchanged, '-' clears it, anything else is an id. */
export type FieldChoice = string
export type FieldChoices = { ownerId: FieldChoice; backupOwnerId: FieldChoice; teamId: FieldChoice }

export function toFields(c: FieldChoices) {
  const conv = (v: string) => (v === '' ? undefined : v === '-' ? null : v)
  return { ownerId: conv(c.ownerId), backupOwnerId: conv(c.backupOwnerId), teamId: conv(c.teamId) }
}

const selectClass =
  'mt-1 block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-xs focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none'

/** Owner, backup owner and team pickers; only active members are offered. */
export function OwnershipFields({
  value,
  onChange,
  people,
  teams,
  unchangedLabel = '— leave unchanged —',
}: {
  value: FieldChoices
  onChange: (v: FieldChoices) => void
  people: Person[]
  teams: TeamOption[]
  unchangedLabel?: string
}) {
  const id = useId()
  const set = (k: keyof FieldChoices) => (v: string) => onChange({ ...value, [k]: v })
  return (
    <div className="grid gap-3">
      <div>
        <label htmlFor={`${id}-owner`} className="font-medium text-slate-700">Owner</label>
        <PeoplePicker id={`${id}-owner`} className="mt-1" name="ownerId" people={people} value={value.ownerId} onChange={set('ownerId')} choices={[{ value: '', label: unchangedLabel }, { value: '-', label: 'No owner' }]} />
      </div>
      <div>
        <label htmlFor={`${id}-backup`} className="font-medium text-slate-700">Backup owner</label>
        <PeoplePicker
          id={`${id}-backup`}
          className="mt-1"
          name="backupOwnerId"
          people={people}
          value={value.backupOwnerId}
          onChange={set('backupOwnerId')}
          choices={[{ value: '', label: unchangedLabel }, { value: '-', label: 'No backup owner' }]}
        />
      </div>
      <label className="block">
        <span className="font-medium text-slate-700">Owning team</span>
        <select className={selectClass} value={value.teamId} onChange={(e) => set('teamId')(e.target.value)} name="teamId" aria-label="Owning team">
          <option value="">{unchangedLabel}</option>
          <option value="-">No team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

export { selectClass }
