'use client'
import { useState } from 'react'
import { Field, Input } from '@/components/ui/field'
import { Select } from '@/components/ui/select'
import { PRINCIPAL_TYPES, type PrincipalType } from '@/lib/principals/schemas'

/** What a principal can be chosen from: active identities (capped), teams, tags in use. */
export type PrincipalOptions = {
  identities: { id: string; name: string; kind: string }[]
  teams: { id: string; name: string }[]
  tags: { key: string; value: string }[]
}

const PRINCIPAL_LABELS: Record<PrincipalType, string> = { identity: 'One identity', team: "A team's identities", tag: 'Identities with a tag' }

/** The picker's state, and the fields it sends (the other kinds' fields as null). */
export function usePrincipal() {
  const [principalType, setPrincipalType] = useState<PrincipalType>('identity')
  const [identityId, setIdentityId] = useState('')
  const [teamId, setTeamId] = useState('')
  const [tag, setTag] = useState('')
  const [tagKey, ...rest] = tag.split('=')
  return {
    state: { principalType, setPrincipalType, identityId, setIdentityId, teamId, setTeamId, tag, setTag },
    fields: {
      principalType,
      identityId: principalType === 'identity' ? identityId : null,
      teamId: principalType === 'team' ? teamId : null,
      tagKey: principalType === 'tag' ? tagKey : null,
      tagValue: principalType === 'tag' ? rest.join('=') : null,
    },
  }
}

/** "Who": one identity, a team's identities, or identities with a tag — as gateway rules and credential templates name them. */
export function PrincipalPicker({
  principal,
  options,
  errors,
  label = 'Who',
  idPrefix,
}: {
  principal: ReturnType<typeof usePrincipal>
  options: PrincipalOptions
  errors: Record<string, string[] | undefined>
  label?: string
  idPrefix: string
}) {
  const s = principal.state
  return (
    <>
      <Field label={label} error={errors.principalType}>
        <Select
          value={s.principalType}
          onChange={(e) => s.setPrincipalType(e.target.value as PrincipalType)}
          options={PRINCIPAL_TYPES.map((p) => ({ value: p, label: PRINCIPAL_LABELS[p] }))}
          className="max-w-xs"
          name="principalType"
        />
      </Field>
      {s.principalType === 'identity' ? (
        <Field label="Identity" error={errors.identityId} hint={options.identities.length ? undefined : 'No active identities in this organization yet.'}>
          <Select
            value={s.identityId}
            onChange={(e) => s.setIdentityId(e.target.value)}
            any="Choose an identity…"
            options={options.identities.map((i) => ({ value: i.id, label: `${i.name} (${i.kind.replace('_', ' ')})` }))}
            name="identityId"
          />
        </Field>
      ) : s.principalType === 'team' ? (
        <Field label="Team" error={errors.teamId} hint="Every identity the team owns, now and later.">
          <Select
            value={s.teamId}
            onChange={(e) => s.setTeamId(e.target.value)}
            any="Choose a team…"
            options={options.teams.map((t) => ({ value: t.id, label: t.name }))}
            name="teamId"
          />
        </Field>
      ) : (
        <Field label="Tag" error={errors.tagKey ?? errors.tagValue} hint="key=value, like app=orders. Every identity with that tag.">
          <Input value={s.tag} onChange={(e) => s.setTag(e.target.value)} list={`${idPrefix}-tags`} placeholder="app=orders" className="font-mono" name="tag" />
          <datalist id={`${idPrefix}-tags`}>
            {options.tags.map((t) => (
              <option key={`${t.key}=${t.value}`} value={`${t.key}=${t.value}`} />
            ))}
          </datalist>
        </Field>
      )}
    </>
  )
}
