'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useState, useTransition, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import { MultiSelect } from '@/components/ui/multi-select'
import { PeoplePicker, type PickerPerson } from '@/components/ui/people-picker'
import { createCampaignAction, previewScopeAction } from '@/lib/campaigns/actions'
import { CAMPAIGN_TYPES, TYPE_LABELS, type CampaignType } from '@/lib/campaigns/schemas'
import { CRED_AGES, ENVIRONMENTS, IDENTITY_KINDS, IDENTITY_STATUSES, KIND_LABELS, type IdentityFilter } from '@/lib/inventory/schemas'

type Option = { value: string; label: string }
/** The scope as the form edits it: the inventory's filter model, with '' for "any". */
type ScopeState = { q: string; kind: string[]; env: string[]; status: string[]; source: string[]; owner: string; team: string; privileged: string; dormant: string; credAge: string; risk: string; finding: string }

function toScopeState(f: IdentityFilter | undefined): ScopeState {
  return {
    q: f?.q ?? '', kind: f?.kind ?? [], env: f?.env ?? [], status: f?.status ?? [], source: f?.source ?? [], owner: f?.owner ?? '', team: f?.team ?? '',
    privileged: f?.privileged ?? '', dormant: f?.dormant ?? '', credAge: f?.credAge ?? '', risk: f?.risk ?? '', finding: f?.finding ?? '',
  }
}
const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500'
const fmt = (n: number) => new Intl.NumberFormat('en-US').format(n)

function Field({ label, htmlFor, error, hint, children }: { label: string; htmlFor: string; error?: string[]; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-800">{label}</label>
      {children}
      {hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
      {error?.length ? <p className="text-xs text-rose-700" id={`${htmlFor}-error`}>{error.join(' ')}</p> : null}
    </div>
  )
}

function Select({ id, value, onChange, options, any }: { id: string; value: string; onChange: (v: string) => void; options: Option[]; any?: string }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={input}>
      {any !== undefined ? <option value="">{any}</option> : null}
      {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
    </select>
  )
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

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
  const [pending, startTransition] = useTransition()
  const [scope, setScope] = useState<ScopeState>(() => toScopeState(props.initialScope))
  const setS = <K extends keyof ScopeState>(k: K) => (val: ScopeState[K]) => setScope((old) => ({ ...old, [k]: val }))
  const [v, setV] = useState({
    name: '', description: '', type: 'identity' as CampaignType,
    fallbackReviewerId: props.defaultReviewer, secondStage: 'none', signoffReviewerId: '',
    startAt: '', dueAt: props.defaultDue, reminders: '7,3,1', defaultDecision: 'recommendation', justificationRule: 'revoke',
    autoRemediate: false, recurrence: 'none', graceDays: '0',
  })
  const set = <K extends keyof typeof v>(k: K) => (val: (typeof v)[K]) => setV((old) => ({ ...old, [k]: val }))
  const [errors, setErrors] = useState<Record<string, string[]>>({})
  const [message, setMessage] = useState<string | null>(null)
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
    setMessage(null)
    setErrors({})
    const reminders = v.reminders.split(/[,\s]+/).filter(Boolean).map(Number)
    startTransition(async () => {
      const r = await createCampaignAction({
        orgSlug: props.orgSlug, name: v.name, description: v.description, type: v.type,
        scope: Object.fromEntries(Object.entries(scope).filter(([, x]) => (Array.isArray(x) ? x.length : x))),
        fallbackReviewerId: v.fallbackReviewerId, secondStage: v.secondStage, signoffReviewerId: v.signoffReviewerId,
        startAt: v.startAt ? `${v.startAt}T00:00:00.000Z` : '', dueAt: v.dueAt ? `${v.dueAt}T23:59:59.000Z` : '',
        reminders, defaultDecision: v.defaultDecision, justificationRule: v.justificationRule, autoRemediate: v.autoRemediate,
        recurrence: v.recurrence, graceDays: Number(v.graceDays || 0), launch,
      })
      if (r.ok) {
        router.push(`/${props.orgSlug}/campaigns/${r.data.id}`)
        return
      }
      setErrors(r.fieldErrors ?? {})
      setMessage(r.error)
    })
  }

  const noun = v.type === 'entitlement' ? 'grants' : v.type === 'credential' ? 'credentials' : 'identities'
  return (
    <form
      className="grid max-w-5xl gap-5 lg:grid-cols-3"
      onSubmit={(e) => {
        e.preventDefault()
        submit(true)
      }}
    >
      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm lg:col-span-2">
        <h2 className="text-sm font-semibold text-slate-900">What is reviewed</h2>
        <Field label="Name" htmlFor="c-name" error={errors.name}>
          <input id="c-name" className={input} value={v.name} onChange={(e) => set('name')(e.target.value)} maxLength={120} required />
        </Field>
        <Field label="Description" htmlFor="c-desc" error={errors.description}>
          <textarea id="c-desc" className={input} rows={2} value={v.description} onChange={(e) => set('description')(e.target.value)} maxLength={2000} />
        </Field>
        <Field label="Campaign type" htmlFor="c-type" error={errors.type}>
          <Select id="c-type" value={v.type} onChange={(x) => set('type')(x as CampaignType)} options={CAMPAIGN_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))} />
        </Field>
        <fieldset className="rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-800">Scope (the inventory filter)</legend>
          {props.initialScope ? <p className="mb-3 text-xs text-slate-500" data-testid="scope-from-inventory">Prefilled from the inventory&apos;s filters; change anything below.</p> : null}
          <div className="mb-3 flex flex-wrap gap-2" aria-label="Multi-value filters" role="group">
            <MultiSelect label="Kind" options={IDENTITY_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} selected={scope.kind} onChange={setS('kind')} />
            <MultiSelect label="Environment" options={ENVIRONMENTS.map((e) => ({ value: e, label: cap(e) }))} selected={scope.env} onChange={setS('env')} />
            <MultiSelect label="Source" options={props.sources} selected={scope.source} onChange={setS('source')} />
            <MultiSelect label="Status" anyLabel="any but deleted" options={IDENTITY_STATUSES.map((x) => ({ value: x, label: cap(x) }))} selected={scope.status} onChange={setS('status')} />
          </div>
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Owner" htmlFor="s-owner">
              <PeoplePicker
                id="s-owner"
                people={props.people}
                value={scope.owner}
                onChange={setS('owner')}
                choices={[{ value: '', label: 'Anyone or no one' }, { value: 'unowned', label: 'No owner' }, ...(scope.owner === 'me' ? [{ value: 'me', label: 'Me (owner or backup)' }] : [])]}
              />
            </Field>
            <Field label="Team" htmlFor="s-team"><Select id="s-team" value={scope.team} onChange={setS('team')} any="Any team" options={props.teams} /></Field>
            <Field label="Privileged" htmlFor="s-priv"><Select id="s-priv" value={scope.privileged} onChange={setS('privileged')} any="Privileged or not" options={[{ value: 'yes', label: 'Privileged only' }, { value: 'no', label: 'Not privileged' }]} /></Field>
            <Field label="Usage" htmlFor="s-dormant"><Select id="s-dormant" value={scope.dormant} onChange={setS('dormant')} any="Any usage" options={[{ value: 'yes', label: 'Dormant' }, { value: 'no', label: 'Recently used' }]} /></Field>
            <Field label="Secret age" htmlFor="s-credage"><Select id="s-credage" value={scope.credAge} onChange={setS('credAge')} any="Any age" options={CRED_AGES.map((d) => ({ value: d, label: `Older than ${d} days` }))} /></Field>
            <Field label="Risk" htmlFor="s-risk"><Select id="s-risk" value={scope.risk} onChange={setS('risk')} any="Any risk" options={[{ value: 'high', label: 'High (70+)' }, { value: 'medium', label: 'Medium' }, { value: 'low', label: 'Low' }]} /></Field>
            <Field label="Finding" htmlFor="s-finding"><Select id="s-finding" value={scope.finding} onChange={setS('finding')} any="Any or none" options={props.findings} /></Field>
            <Field label="Name contains" htmlFor="s-q"><input id="s-q" className={input} value={scope.q} onChange={(e) => setS('q')(e.target.value)} maxLength={100} /></Field>
          </div>
          <p className="mt-3 text-sm" data-testid="scope-preview" aria-live="polite">
            {preview === 'loading' ? <span className="text-slate-500">Counting…</span>
              : preview === 'error' || !preview ? <span className="text-rose-700">Could not count the scope.</span>
              : preview.items === 0 ? <span className="font-medium text-amber-700">Nothing matches this scope: widen the filter.</span>
              : <span><strong className="tabular-nums">{fmt(preview.items)}</strong> review items{v.type !== 'identity' ? <> from {fmt(preview.identities)} identities</> : null} ({noun})</span>}
          </p>
          {errors.scope ? <p className="text-xs text-rose-700">{errors.scope.join(' ')}</p> : null}
        </fieldset>
      </section>

      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="text-sm font-semibold text-slate-900">Who decides, and when</h2>
        <p className="text-xs text-slate-500">Each item goes to the identity&apos;s owner, then its backup owner, then the owning team&apos;s lead, then the fallback reviewer.</p>
        <Field label="Fallback reviewer" htmlFor="c-fallback" error={errors.fallbackReviewerId}>
          <PeoplePicker id="c-fallback" people={props.reviewers} value={v.fallbackReviewerId} onChange={set('fallbackReviewerId')} required invalid={!!errors.fallbackReviewerId} />
        </Field>
        <Field label="Second stage" htmlFor="c-stage2" error={errors.secondStage}>
          <Select id="c-stage2" value={v.secondStage} onChange={set('secondStage')} options={[
            { value: 'none', label: 'None' }, { value: 'privileged', label: 'Governance signs off privileged items' },
            { value: 'revokes', label: 'Governance signs off every revoke' }, { value: 'all', label: 'Governance signs off everything' },
          ]} />
        </Field>
        {v.secondStage !== 'none' ? (
          <Field label="Sign-off reviewer" htmlFor="c-signoff" error={errors.signoffReviewerId} hint="Defaults to the fallback reviewer.">
            <PeoplePicker id="c-signoff" people={props.reviewers} value={v.signoffReviewerId} onChange={set('signoffReviewerId')} choices={[{ value: '', label: 'The fallback reviewer' }]} invalid={!!errors.signoffReviewerId} />
          </Field>
        ) : null}
        <div className="grid grid-cols-2 gap-3">
          <Field label="Start date" htmlFor="c-start" error={errors.startAt} hint="Empty: on launch.">
            <input id="c-start" type="date" className={input} value={v.startAt} onChange={(e) => set('startAt')(e.target.value)} />
          </Field>
          <Field label="Due date" htmlFor="c-due" error={errors.dueAt}>
            <input id="c-due" type="date" className={input} value={v.dueAt} onChange={(e) => set('dueAt')(e.target.value)} required />
          </Field>
        </div>
        <Field label="Reminders (days before due)" htmlFor="c-rem" error={errors.reminders} hint="Comma-separated, e.g. 7,3,1.">
          <input id="c-rem" className={input} value={v.reminders} onChange={(e) => set('reminders')(e.target.value)} />
        </Field>
        <Field label="When nobody answers" htmlFor="c-default" error={errors.defaultDecision}>
          <Select id="c-default" value={v.defaultDecision} onChange={set('defaultDecision')} options={[
            { value: 'recommendation', label: 'Follow the recommendation' }, { value: 'keep', label: 'Keep' },
            { value: 'revoke', label: 'Revoke' }, { value: 'open', label: 'Leave open (no decision)' },
          ]} />
        </Field>
        <Field label="Escalate overdue items, close after (days)" htmlFor="c-grace" error={errors.graceDays} hint="0: close at the due date. More: overdue items go to the fallback reviewer, and the campaign closes that many days later.">
          <input id="c-grace" type="number" min={0} max={60} className={input} value={v.graceDays} onChange={(e) => set('graceDays')(e.target.value)} />
        </Field>
        <Field label="Justification required" htmlFor="c-just" error={errors.justificationRule}>
          <Select id="c-just" value={v.justificationRule} onChange={set('justificationRule')} options={[
            { value: 'revoke', label: 'On revoking' }, { value: 'privileged_keep', label: 'On keeping privileged access' },
            { value: 'always', label: 'Always' }, { value: 'never', label: 'Never' },
          ]} />
        </Field>
        <Field label="Recurrence" htmlFor="c-rec" error={errors.recurrence} hint="The next campaign is created when this one closes.">
          <Select id="c-rec" value={v.recurrence} onChange={set('recurrence')} options={[
            { value: 'none', label: 'One-off' }, { value: 'monthly', label: 'Monthly' }, { value: 'quarterly', label: 'Quarterly' }, { value: 'yearly', label: 'Yearly' },
          ]} />
        </Field>
        <label className="flex items-start gap-2 text-sm text-slate-800">
          <input type="checkbox" className="mt-0.5" checked={v.autoRemediate} onChange={(e) => set('autoRemediate')(e.target.checked)} />
          <span>Auto-remediation<span className="block text-xs text-slate-500">Apply each revoke as soon as it is decided, instead of at close.</span></span>
        </label>
      </section>

      <div className="flex flex-wrap items-center gap-3 lg:col-span-3">
        <Button type="submit" disabled={pending}>{pending ? 'Working…' : 'Launch campaign'}</Button>
        <Button type="button" variant="secondary" disabled={pending} onClick={() => submit(false)}>Save as draft</Button>
        {message ? <p className="text-sm text-rose-700" data-testid="form-error">{message}</p> : null}
      </div>
    </form>
  )
}
