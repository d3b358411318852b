'use client'
import { useState } from 'react'
import { countOf, formatNumber } from '@/components/ui/format'
import { Select } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { updateSourceEnvironmentAction } from '@/lib/sources/actions'
import { SOURCE_ENVIRONMENTS } from '@/lib/sources/schemas'
import { StatusText } from '@/components/ui/status-text'

const OPTIONS = [{ value: 'unknown', label: 'not set (unknown)' }, ...SOURCE_ENVIRONMENTS.map((env) => ({ value: env, label: env }))]

/** The environment a source gives the identities it does not label; saving also labels its identities still "unknown". */
export function EnvironmentForm({
  orgSlug,
  sourceId,
  sourceName,
  environment,
  unknown,
}: {
  orgSlug: string
  sourceId: string
  sourceName: string
  environment: string | null
  unknown: number
}) {
  const [value, setValue] = useState(environment ?? 'unknown')
  const [done, setDone] = useState<string | null>(null)
  const save = useOrgAction(updateSourceEnvironmentAction, {
    onSuccess: (r, input) =>
      setDone(
        input.environment === 'unknown'
          ? 'Setting removed.'
          : r.updated
            ? `${countOf(r.updated, 'identity', 'identities')} set to ${input.environment}.`
            : 'Saved.',
      ),
  })
  const error = save.fieldErrors.environment?.[0] ?? save.error
  const changed = value !== (environment ?? 'unknown')
  return (
    <form
      className="flex max-w-[15rem] flex-col gap-1"
      data-testid="environment-form"
      onSubmit={submitted(() => save.run({ orgSlug, sourceId, environment: value as (typeof SOURCE_ENVIRONMENTS)[number] | 'unknown' }))}
    >
      <span className="flex items-center gap-1">
        <Select
          size="xs"
          value={value}
          onChange={(e) => {
            setValue(e.target.value)
            setDone(null)
          }}
          aria-label={`Environment of ${sourceName}`}
          options={OPTIONS}
        />
        {changed ? (
          <button disabled={save.pending} className="text-xs font-medium text-indigo-700 hover:underline">
            {save.pending ? '…' : 'Save'}
          </button>
        ) : null}
      </span>
      {changed && value !== 'unknown' ? (
        <span className="text-xs text-slate-600" data-testid="environment-effect">
          Sets the {countOf(unknown, 'identity', 'identities')} of this source whose environment is unknown to {value} now, and every identity a later import
          leaves unlabeled.
        </span>
      ) : changed ? (
        <span className="text-xs text-slate-600">Identities keep their environment; later imports leave unlabeled ones unknown.</span>
      ) : !environment && unknown ? (
        <span className="text-xs text-slate-500">{formatNumber(unknown)} with unknown environment</span>
      ) : null}
      <StatusText className="text-xs text-emerald-700">{done}</StatusText>
      {error ? <span className="text-xs text-rose-700">{error}</span> : null}
    </form>
  )
}
