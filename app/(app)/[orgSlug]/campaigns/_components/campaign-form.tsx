'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { Button } from '@/components/ui/button'
import { Field, Input, Textarea } from '@/components/ui/field'
import { capitalize, formatNumber, optionsOf } from '@/components/ui/format'
import { MultiSelect } from '@/components/ui/multi-select'
import { PeoplePicker, type PickerPerson } from '@/components/ui/people-picker'
import { Select, type SelectOption as Option } from '@/components/ui/select'
import { submitted, useOrgAction } from '@/components/ui/use-org-action'
import { createCampaignAction, previewScopeAction } from '@/lib/campaigns/actions'
import { CAMPAIGN_TYPES, TYPE_LABELS, type CampaignInput, type CampaignType } from '@/lib/campaigns/schemas'
import {
  ENVIRONMENTS,
  IDENTITY_KINDS,
  IDENTITY_STATUSES,
  KIND_LABELS,
  type IdentityFilter,
  CRED_AGE_LABELS,
  PRIVILEGED_LABELS,
  RISK_LABELS,
  usageLabels,
} from '@/lib/inventory/schemas'

/** The scope as the form edits it: the inventory's filter model, with '' for "any". */
type ScopeState = {
  q: string
  kind: string[]
  env: string[]
  status: string[]
  source: string[]
  owner: string
  team: string
  privileged: string
  dormant: string
  credAge: string
  risk: string
  finding: string
}

const PRIVILEGED_CHOICES = optionsOf(PRIVILEGED_LABELS)
const USAGE_CHOICES = optionsOf(usageLabels())
const CRED_AGE_CHOICES = optionsOf(CRED_AGE_LABELS)
const RISK_CHOICES = optionsOf(RISK_LABELS)

function toScopeState(f: IdentityFilter | undefined): ScopeState {
  return {
    q: f?.q ?? '',
    kind: f?.kind ?? [],
    env: f?.env ?? [],
    status: f?.status ?? [],
    source: f?.source ?? [],
    owner: f?.owner ?? '',
    team: f?.team ?? '',
    privileged: f?.privileged ?? '',
    dormant: f?.dormant ?? '',
    credAge: f?.credAge ?? '',
    risk: f?.risk ?? '',
    finding: f?.finding ?? '',
  }
}
const opts = (entries: [string, string][]): Option[] => entries.map(([value, label]) => ({ value, label }))
// Option lists are data: each setting names its own values, alike the others by shape only.
const SECOND_STAGES = opts([
  ['none', 'None'],
  ['privileged', 'Governance signs off privileged items'],
  ['revokes', 'Governance signs off every revoke'],
  ['all', 'Governance signs off everything'],
])
const DEFAULT_DECISIONS = opts([
  ['recommendation', 'Follow the recommendation'],
  ['keep', 'Keep'],
  ['revoke', 'Revoke'],
  ['open', 'Leave open (no decision)'],
])
const JUSTIFICATION_RULES = opts([
  ['revoke', 'On revoking'],
  ['privileged_keep', 'On keeping privileged access'],
  ['always', 'Always'],
  ['never', 'Never'],
])
const RECURRENCES = opts([
  ['none', 'One-off'],
  ['monthly', 'Monthly'],
  ['quarterly', 'Quarterly'],
  ['yearly', 'Yearly'],
])

export function CampaignForm(props: {
  orgSlug: string
  sources: Option[]
  people: PickerPerson[]
  teams: Option[]
  reviewers: PickerPerson[]
  findings: Option[]
  defaultReviewer: string
  defaultDue: string
  /** a scope brought from the inventory ("Review these") */
  initialScope?: IdentityFilter
}) {
  const router = useRouter()
  const [scope, setScope] = useState<ScopeState>(() => toScopeState(props.initialScope))
  const setS =
    <K extends keyof ScopeState>(k: K) =>
    (val: ScopeState[K]) =>
      setScope((old) => ({ ...old, [k]: val }))
  const [v, setV] = useState({
    name: '',
    description: '',
    type: 'identity' as CampaignType,
    fallbackReviewerId: props.defaultReviewer,
    secondStage: 'none' as CampaignInput['secondStage'],
    signoffReviewerId: '',
    startAt: '',
    dueAt: props.defaultDue,
    reminders: '7,3,1',
    defaultDecision: 'recommendation' as CampaignInput['defaultDecision'],
    justificationRule: 'revoke' as CampaignInput['justificationRule'],
    autoRemediate: false,
    recurrence: 'none' as CampaignInput['recurrence'],
    graceDays: '0',
  })
  const set =
    <K extends keyof typeof v>(k: K) =>
    (val: (typeof v)[K]) =>
      setV((old) => ({ ...old, [k]: val }))
  const create = useOrgAction(createCampaignAction, { refresh: false, onSuccess: (r) => router.push(`/${props.orgSlug}/campaigns/${r.id}`) })
  const errors = create.fieldErrors
  // The settings picked from a fixed list: one Field + Select each, bound to its own typed value.
  const choice = <K extends 'secondStage' | 'defaultDecision' | 'justificationRule' | 'recurrence'>(
    k: K,
    id: string,
    label: string,
    options: Option[],
    hint?: string,
  ) => (
    <Field label={label} id={id} error={errors[k]} hint={hint}>
      <Select id={id} value={v[k]} onChange={(e) => set(k)(e.target.value as (typeof v)[K])} options={options} />
    </Field>
  )
  const [preview, setPreview] = useState<{ items: number; identities: number } | null | 'loading' | 'error'>('loading')

  const scopeKey = JSON.stringify([v.type, scope])
  useEffect(() => {
    let live = true
    const t = setTimeout(async () => {
      setPreview('loading')
      const [type, scopeNow] = JSON.parse(scopeKey)
      const r = await previewScopeAction({ orgSlug: props.orgSlug, type, scope: scopeNow })
      if (live) setPreview(r.ok ? r.data : 'error')
    }, 250)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [scopeKey, props.orgSlug])

  function submit(launch: boolean) {
    const reminders = v.reminders
      .split(/[,\s]+/)
      .filter(Boolean)
      .map(Number)
    void create.run({
      orgSlug: props.orgSlug,
      name: v.name,
      description: v.description,
      type: v.type,
      scope: Object.fromEntries(Object.entries(scope).filter(([, x]) => (Array.isArray(x) ? x.length : x))),
      fallbackReviewerId: v.fallbackReviewerId,
      secondStage: v.secondStage,
      signoffReviewerId: v.signoffReviewerId,
      startAt: v.startAt ? `${v.startAt}T00:00:00.000Z` : '',
      dueAt: v.dueAt ? `${v.dueAt}T23:59:59.000Z` : '',
      reminders,
      defaultDecision: v.defaultDecision,
      justificationRule: v.justificationRule,
      autoRemediate: v.autoRemediate,
      recurrence: v.recurrence,
      graceDays: Number(v.graceDays || 0),
      launch,
    })
  }

  const noun = v.type === 'entitlement' ? 'grants' : v.type === 'credential' ? 'credentials' : 'identities'
  return (
    <form className="grid max-w-5xl gap-5 lg:grid-cols-3" onSubmit={submitted(() => submit(true))}>
      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm lg:col-span-2">
        <h2 className="text-sm font-semibold text-slate-900">What is reviewed</h2>
        <Field label="Name" id="c-name" error={errors.name}>
          <Input id="c-name" value={v.name} onChange={(e) => set('name')(e.target.value)} maxLength={120} required />
        </Field>
        <Field label="Description" id="c-desc" error={errors.description}>
          <Textarea id="c-desc" rows={2} value={v.description} onChange={(e) => set('description')(e.target.value)} maxLength={2000} />
        </Field>
        <Field label="Campaign type" id="c-type" error={errors.type}>
          <Select
            id="c-type"
            value={v.type}
            onChange={(e) => set('type')(e.target.value as CampaignType)}
            options={CAMPAIGN_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
          />
        </Field>
        <fieldset className="rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-800">Scope (the inventory filter)</legend>
          {props.initialScope ? (
            <p className="mb-3 text-xs text-slate-500" data-testid="scope-from-inventory">
              Prefilled from the inventory&apos;s filters; change anything below.
            </p>
          ) : null}
          <div className="mb-3 flex flex-wrap gap-2" aria-label="Multi-value filters" role="group">
            <MultiSelect
              label="Kind"
              options={IDENTITY_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
              selected={scope.kind}
              onChange={setS('kind')}
            />
            <MultiSelect
              label="Environment"
              options={ENVIRONMENTS.map((e) => ({ value: e, label: capitalize(e) }))}
              selected={scope.env}
              onChange={setS('env')}
            />
            <MultiSelect label="Source" options={props.sources} selected={scope.source} onChange={setS('source')} />
            <MultiSelect
              label="Status"
              anyLabel="any but deleted"
              options={IDENTITY_STATUSES.map((x) => ({ value: x, label: capitalize(x) }))}
              selected={scope.status}
              onChange={setS('status')}
            />
          </div>
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Owner" id="s-owner">
              <PeoplePicker
                id="s-owner"
                people={props.people}
                value={scope.owner}
                onChange={setS('owner')}
                choices={[
                  { value: '', label: 'Anyone or no one' },
                  { value: 'unowned', label: 'No owner' },
                  ...(scope.owner === 'me' ? [{ value: 'me', label: 'Me (owner or backup)' }] : []),
                ]}
              />
            </Field>
            {[
              { key: 'team' as const, id: 's-team', label: 'Team', any: 'Any team', options: props.teams },
              { key: 'privileged' as const, id: 's-priv', label: 'Privileged', any: 'Privileged or not', options: PRIVILEGED_CHOICES },
              { key: 'dormant' as const, id: 's-dormant', label: 'Usage', any: 'Any usage', options: USAGE_CHOICES },
              { key: 'credAge' as const, id: 's-credage', label: 'Secret age', any: 'Any age', options: CRED_AGE_CHOICES },
              { key: 'risk' as const, id: 's-risk', label: 'Risk', any: 'Any risk', options: RISK_CHOICES },
              { key: 'finding' as const, id: 's-finding', label: 'Finding', any: 'Any or none', options: props.findings },
            ].map((f) => (
              <Field key={f.key} label={f.label} id={f.id}>
                <Select id={f.id} value={scope[f.key]} onChange={(e) => setS(f.key)(e.target.value)} any={f.any} options={f.options} />
              </Field>
            ))}
            <Field label="Name contains" id="s-q">
              <Input id="s-q" value={scope.q} onChange={(e) => setS('q')(e.target.value)} maxLength={100} />
            </Field>
          </div>
          <p className="mt-3 text-sm" data-testid="scope-preview" aria-live="polite">
            {preview === 'loading' ? (
              <span className="text-slate-500">Counting…</span>
            ) : preview === 'error' || !preview ? (
              <span className="text-rose-700">Could not count the scope.</span>
            ) : preview.items === 0 ? (
              <span className="font-medium text-amber-700">Nothing matches this scope: widen the filter.</span>
            ) : (
              <span>
                <strong className="tabular-nums">{formatNumber(preview.items)}</strong> review items
                {v.type !== 'identity' ? <> from {formatNumber(preview.identities)} identities</> : null} ({noun})
              </span>
            )}
          </p>
          {errors.scope ? <p className="text-xs text-rose-700">{errors.scope.join(' ')}</p> : null}
        </fieldset>
      </section>

      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-sm font-semibold text-slate-900">Who decides, and when</h2>
        <p className="text-xs text-slate-500">
          Each item goes to the identity&apos;s owner, then its backup owner, then the owning team&apos;s lead, then the fallback reviewer.
        </p>
        <Field label="Fallback reviewer" id="c-fallback" error={errors.fallbackReviewerId}>
          <PeoplePicker
            id="c-fallback"
            people={props.reviewers}
            value={v.fallbackReviewerId}
            onChange={set('fallbackReviewerId')}
            required
            invalid={!!errors.fallbackReviewerId}
          />
        </Field>
        {choice('secondStage', 'c-stage2', 'Second stage', SECOND_STAGES)}
        {v.secondStage !== 'none' ? (
          <Field label="Sign-off reviewer" id="c-signoff" error={errors.signoffReviewerId} hint="Defaults to the fallback reviewer.">
            <PeoplePicker
              id="c-signoff"
              people={props.reviewers}
              value={v.signoffReviewerId}
              onChange={set('signoffReviewerId')}
              choices={[{ value: '', label: 'The fallback reviewer' }]}
              invalid={!!errors.signoffReviewerId}
            />
          </Field>
        ) : null}
        <div className="grid grid-cols-2 gap-3">
          <Field label="Start date" id="c-start" error={errors.startAt} hint="Empty: on launch.">
            <Input id="c-start" type="date" value={v.startAt} onChange={(e) => set('startAt')(e.target.value)} />
          </Field>
          <Field label="Due date" id="c-due" error={errors.dueAt}>
            <Input id="c-due" type="date" value={v.dueAt} onChange={(e) => set('dueAt')(e.target.value)} required />
          </Field>
        </div>
        <Field label="Reminders (days before due)" id="c-rem" error={errors.reminders} hint="Comma-separated, e.g. 7,3,1.">
          <Input id="c-rem" value={v.reminders} onChange={(e) => set('reminders')(e.target.value)} />
        </Field>
        {choice('defaultDecision', 'c-default', 'When nobody answers', DEFAULT_DECISIONS)}
        <Field
          label="Escalate overdue items, close after (days)"
          id="c-grace"
          error={errors.graceDays}
          hint="0: close at the due date. More: overdue items go to the fallback reviewer, and the campaign closes that many days later."
        >
          <Input id="c-grace" type="number" min={0} max={60} value={v.graceDays} onChange={(e) => set('graceDays')(e.target.value)} />
        </Field>
        {choice('justificationRule', 'c-just', 'Justification required', JUSTIFICATION_RULES)}
        {choice('recurrence', 'c-rec', 'Recurrence', RECURRENCES, 'The next campaign is created when this one closes.')}
        <label className="flex items-start gap-2 text-sm text-slate-800">
          <input type="checkbox" className="mt-0.5" checked={v.autoRemediate} onChange={(e) => set('autoRemediate')(e.target.checked)} />
          <span>
            Auto-remediation<span className="block text-xs text-slate-500">Apply each revoke as soon as it is decided, instead of at close.</span>
          </span>
        </label>
      </section>

      <div className="flex flex-wrap items-center gap-3 lg:col-span-3">
        <Button type="submit" disabled={create.pending}>
          {create.pending ? 'Working…' : 'Launch campaign'}
        </Button>
        <Button type="button" variant="secondary" disabled={create.pending} onClick={() => submit(false)}>
          Save as draft
        </Button>
        {create.error ? (
          <p className="text-sm text-rose-700" data-testid="form-error">
            {create.error}
          </p>
        ) : null}
      </div>
    </form>
  )
}
