'use client'
import { useRouter } from 'next/navigation'
import { useEffect, useState, useTransition, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import { createCampaignAction, previewScopeAction } from '@/lib/campaigns/actions'
import { CAMPAIGN_TYPES, TYPE_LABELS, type CampaignType } from '@/lib/campaigns/schemas'
import { ENVIRONMENTS, IDENTITY_KINDS, KIND_LABELS } from '@/lib/inventory/schemas'

type Option = { value: string; label: string }
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

export function CampaignForm(props: { orgSlug: string; sources: Option[]; people: Option[]; teams: Option[]; reviewers: Option[]; defaultReviewer: string; defaultDue: string }) {
  const router = useRouter()
  const [pending, startTransition] = useTransition()
  const [v, setV] = useState({
    name: '', description: '', type: 'identity' as CampaignType,
    kind: '', env: '', source: '', owner: '', team: '', privileged: '', dormant: '', risk: '', q: '',
    fallbackReviewerId: props.defaultReviewer, secondStage: 'none', signoffReviewerId: '',
    startAt: '', dueAt: props.defaultDue, reminders: '7,3,1', defaultDecision: 'recommendation', justificationRule: 'revoke',
    autoRemediate: false, recurrence: 'none', graceDays: '0',
  })
  const set = <K extends keyof typeof v>(k: K) => (val: (typeof v)[K]) => setV((old) => ({ ...old, [k]: val }))
  const [errors, setErrors] = useState<Record<string, string[]>>({})
  const [message, setMessage] = useState<string | null>(null)
  const [preview, setPreview] = useState<{ items: number; identities: number } | null | 'loading' | 'error'>('loading')

  const scope = { kind: v.kind, env: v.env, source: v.source, owner: v.owner, team: v.team, privileged: v.privileged, dormant: v.dormant, risk: v.risk, q: v.q }
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
        scope: Object.fromEntries(Object.entries(scope).filter(([, x]) => x)),
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
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Kind" htmlFor="s-kind"><Select id="s-kind" value={v.kind} onChange={set('kind')} any="Any kind" options={IDENTITY_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))} /></Field>
            <Field label="Environment" htmlFor="s-env"><Select id="s-env" value={v.env} onChange={set('env')} any="Any environment" options={ENVIRONMENTS.map((e) => ({ value: e, label: cap(e) }))} /></Field>
            <Field label="Source" htmlFor="s-source"><Select id="s-source" value={v.source} onChange={set('source')} any="Any source" options={props.sources} /></Field>
            <Field label="Owner" htmlFor="s-owner"><Select id="s-owner" value={v.owner} onChange={set('owner')} any="Anyone or no one" options={[{ value: 'unowned', label: 'No owner' }, ...props.people]} /></Field>
            <Field label="Team" htmlFor="s-team"><Select id="s-team" value={v.team} onChange={set('team')} any="Any team" options={props.teams} /></Field>
            <Field label="Privileged" htmlFor="s-priv"><Select id="s-priv" value={v.privileged} onChange={set('privileged')} any="Privileged or not" options={[{ value: 'yes', label: 'Privileged only' }, { value: 'no', label: 'Not privileged' }]} /></Field>
            <Field label="Usage" htmlFor="s-dormant"><Select id="s-dormant" value={v.dormant} onChange={set('dormant')} any="Any usage" options={[{ value: 'yes', label: 'Dormant' }, { value: 'no', label: 'Recently used' }]} /></Field>
            <Field label="Risk" htmlFor="s-risk"><Select id="s-risk" value={v.risk} onChange={set('risk')} any="Any risk" options={[{ value: 'high', label: 'High (70+)' }, { value: 'medium', label: 'Medium' }, { value: 'low', label: 'Low' }]} /></Field>
            <Field label="Name contains" htmlFor="s-q"><input id="s-q" className={input} value={v.q} onChange={(e) => set('q')(e.target.value)} maxLength={100} /></Field>
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
          <Select id="c-fallback" value={v.fallbackReviewerId} onChange={set('fallbackReviewerId')} options={props.reviewers} />
        </Field>
        <Field label="Second stage" htmlFor="c-stage2" error={errors.secondStage}>
          <Select id="c-stage2" value={v.secondStage} onChange={set('secondStage')} options={[
            { value: 'none', label: 'None' }, { value: 'privileged', label: 'Governance signs off privileged items' },
            { value: 'revokes', label: 'Governance signs off every revoke' }, { value: 'all', label: 'Governance signs off everything' },
          ]} />
        </Field>
        {v.secondStage !== 'none' ? (
          <Field label="Sign-off reviewer" htmlFor="c-signoff" error={errors.signoffReviewerId} hint="Defaults to the fallback reviewer.">
            <Select id="c-signoff" value={v.signoffReviewerId} onChange={set('signoffReviewerId')} any="Fallback reviewer" options={props.reviewers} />
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
