'use client'
import { useId } from 'react'
import { Field } from '@/components/ui/field'
import { PeoplePicker } from '@/components/ui/people-picker'
import { Select } from '@/components/ui/select'

export type Person = { id: string; name: string; email: string }
export type TeamOption = { id: string; name: string }
/** '' leaves the field unchanged, '-' clears it, anything else is an id. */
export type FieldChoice = string
export type FieldChoices = { ownerId: FieldChoice; backupOwnerId: FieldChoice; teamId: FieldChoice }

const PEOPLE_FIELDS = [
  { key: 'ownerId', slug: 'owner', label: 'Owner', none: 'No owner' },
  { key: 'backupOwnerId', slug: 'backup', label: 'Backup owner', none: 'No backup owner' },
] as const

export function toFields(c: FieldChoices) {
  const conv = (v: string) => (v === '' ? undefined : v === '-' ? null : v)
  return { ownerId: conv(c.ownerId), backupOwnerId: conv(c.backupOwnerId), teamId: conv(c.teamId) }
}

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
      {PEOPLE_FIELDS.map((f) => (
        <Field key={f.key} id={`${id}-${f.slug}`} label={f.label}>
          <PeoplePicker
            id={`${id}-${f.slug}`}
            name={f.key}
            people={people}
            value={value[f.key]}
            onChange={set(f.key)}
            choices={[
              { value: '', label: unchangedLabel },
              { value: '-', label: f.none },
            ]}
          />
        </Field>
      ))}
      <Field label="Owning team">
        <Select
          value={value.teamId}
          onChange={(e) => set('teamId')(e.target.value)}
          name="teamId"
          any={unchangedLabel}
          options={[{ value: '-', label: 'No team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
        />
      </Field>
    </div>
  )
}
