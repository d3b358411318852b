'use client'
import { SaveBar } from '@/components/ui/save-bar'
import { Field, Input } from '@/components/ui/field'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { updatePostureSettingsAction } from '@/lib/findings/actions'

type Name = 'dormantDays' | 'rotationMaxDays' | 'privilegedUnusedDays' | 'humanUseWindowDays'
const FIELDS: { name: Name; label: string; help: string; min: number; max: number }[] = [
  { name: 'dormantDays', label: 'Dormant after (days)', help: 'An active identity or credential unused this long is dormant (NHI1).', min: 7, max: 730 },
  {
    name: 'rotationMaxDays',
    label: 'Rotation limit (days)',
    help: 'Secrets older than this since creation or last rotation are long-lived (NHI7).',
    min: 1,
    max: 1825,
  },
  {
    name: 'privilegedUnusedDays',
    label: 'Unused privilege after (days)',
    help: 'A privileged grant unused this long is overprivilege (NHI5).',
    min: 7,
    max: 730,
  },
  {
    name: 'humanUseWindowDays',
    label: 'Human-use window (days)',
    help: 'Interactive sign-ins within this window raise human use of an NHI (NHI10).',
    min: 1,
    max: 365,
  },
]

export function PostureForm({ orgSlug, values }: { orgSlug: string; values: Record<Name, number> }) {
  const save = useOrgAction(updatePostureSettingsAction)
  return (
    <form
      noValidate
      className="max-w-xl space-y-4"
      onSubmit={submitted((form) => {
        const value = (name: Name) => String(new FormData(form).get(name) ?? '')
        return save.run({
          orgSlug,
          dormantDays: value('dormantDays'),
          rotationMaxDays: value('rotationMaxDays'),
          privilegedUnusedDays: value('privilegedUnusedDays'),
          humanUseWindowDays: value('humanUseWindowDays'),
        })
      })}
    >
      {FIELDS.map((f) => (
        <Field
          key={f.name}
          id={f.name}
          label={f.label}
          hint={`${f.help} Between ${f.min} and ${f.max}.`}
          error={save.fieldErrors[f.name]}
          testId={`error-${f.name}`}
        >
          <Input name={f.name} type="number" min={f.min} max={f.max} defaultValue={values[f.name]} className="w-40 tabular-nums" />
        </Field>
      ))}
      <SaveBar save={save} label="Save thresholds" saved="Saved. Findings are being recomputed with the new thresholds." />
    </form>
  )
}
