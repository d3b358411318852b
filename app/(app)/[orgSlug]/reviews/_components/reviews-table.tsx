'use client'
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { createDataTableColumnHelper } from '@/components/data-table/columns'
import type { TablePage } from '@/components/data-table/search-params'
import { DataTable, type SelectionBarContext } from '@/components/data-table/data-table'
import { Badge, PrivilegedBadge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Dialog } from '@/components/ui/dialog'
import { Field, Input, Textarea } from '@/components/ui/field'
import { countOf, formatDate, formatLastUsed } from '@/components/ui/format'
import { PeoplePicker } from '@/components/ui/people-picker'
import { DECISION_TONES, toneOf } from '@/components/ui/tones'
import { errorText, submitted, useOrgAction } from '@/components/ui/use-org-action'
import { bulkDecideAction, decideAction, markViewedAction, reassignAction } from '@/lib/campaigns/actions'
import { DECISION_LABELS, type ReviewFilter } from '@/lib/campaigns/schemas'

export type ReviewRow = {
  id: string
  version: number
  campaignId: string
  campaign: string
  campaignType: string
  identityId: string
  identity: string
  kind: string
  environment: string
  source: string
  access: string
  grants: { id: string; label: string; privileged: boolean }[]
  /** grants the recommendation suggests dropping (unused gateway access): pre-picked in the reduce dialog */
  suggested: string[]
  privileged: boolean
  lastUsedAt: string | null
  /** false: the source does not report usage (unknown, not never) */
  usageReported: boolean
  findings: string[]
  via: string
  recommendation: string | null
  reason: string | null
  decision: string | null
  firstDecision: string | null
  justification: string | null
  stage: number
  escalated: boolean
  needs: { keep: boolean; revoke: boolean; reduce: boolean }
}
type Option = { value: string; label: string }
type Decision = 'keep' | 'revoke' | 'reduce' | 'unsure'
type Pending = { row: ReviewRow; decision: Decision }

const col = createDataTableColumnHelper<ReviewRow>()
const VIA: Record<string, string> = {
  owner: 'you own it',
  backup: 'you are the backup owner',
  team_lead: 'you lead the owning team',
  fallback: 'no owner could review it',
}

export function ReviewsTable(props: {
  orgSlug: string
  list: TablePage<ReviewRow>
  grouped: boolean
  filter: ReviewFilter
  people: Option[]
  emptyState: ReactNode
}) {
  const { orgSlug } = props
  const { rows } = props.list
  const decideOne = useOrgAction(decideAction, { refresh: 'always' })
  const decideBulk = useOrgAction(bulkDecideAction, { refresh: 'always' })
  const delegate = useOrgAction(reassignAction, { refresh: 'always' })
  const busy = decideOne.pending || decideBulk.pending || delegate.pending
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null)
  const [dialog, setDialog] = useState<Pending | null>(null)
  const [allMatching, setAllMatching] = useState(false)
  const [now] = useState(() => Date.now())
  const rowsRef = useRef(rows)
  useEffect(() => {
    rowsRef.current = rows
  }, [rows])
  // Seeing an item starts its "time spent" clock: recorded by an explicit action, never by the page's GET.
  const pendingIds = rows
    .filter((r) => !r.decision || r.decision === 'unsure')
    .map((r) => r.id)
    .join(',')
  useEffect(() => {
    if (pendingIds) void markViewedAction({ orgSlug, ids: pendingIds.split(',') })
  }, [orgSlug, pendingIds])

  // After a decision the decided row may leave the list: keyboard focus moves on to the next row instead of
  // falling back to the page body, so k / r / u can be pressed row after row.
  const tableRef = useRef<HTMLDivElement>(null)
  const focusAfter = useRef<{ ids: string[]; index: number } | null>(null)
  const rememberFocus = (row: ReviewRow) => {
    const list = rowsRef.current
    const index = list.findIndex((r) => r.id === row.id)
    if (index >= 0) focusAfter.current = { ids: list.slice(index + 1).map((r) => r.id), index }
  }
  useEffect(() => {
    const want = focusAfter.current
    if (!want || !tableRef.current) return
    focusAfter.current = null
    const trs = [...tableRef.current.querySelectorAll<HTMLElement>('tbody > tr[data-row-id]')]
    const next = want.ids.map((id) => trs.find((tr) => tr.dataset.rowId === id)).find(Boolean) ?? trs[Math.min(want.index, trs.length - 1)]
    next?.focus()
  }, [rows])

  const send = (row: ReviewRow, decision: Decision, extra: { justification?: string; reduceGrantIds?: string[] } = {}) => {
    rememberFocus(row)
    void decideOne.run({ orgSlug, itemId: row.id, version: row.version, decision, ...extra }).then((r) => {
      if (r.ok) {
        setMessage({ tone: 'ok', text: `${row.identity}: ${DECISION_LABELS[decision]}.` })
        setDialog(null)
      } else {
        setMessage({ tone: 'error', text: errorText(r.error, r.fieldErrors ?? {}) ?? r.error })
        if (!r.fieldErrors) setDialog(null)
        // Not decided: stay on this row.
        if (focusAfter.current) focusAfter.current = { ...focusAfter.current, ids: [row.id, ...focusAfter.current.ids] }
      }
    })
  }
  const decide = (row: ReviewRow, decision: Decision) => {
    if (decision === 'reduce' || (decision !== 'unsure' && row.needs[decision])) setDialog({ row, decision })
    else send(row, decision)
  }
  const decideRef = useRef(decide)
  useEffect(() => {
    decideRef.current = decide
  })

  // Shortcuts act on the focused row of this table (the data table gives rows a roving tabindex).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return
      const el = document.activeElement as HTMLElement | null
      if (!el || el.tagName !== 'TR' || !tableRef.current?.contains(el)) return
      const id = el.dataset.rowId
      const row = rowsRef.current.find((r) => r.id === id)
      const d = ({ k: 'keep', r: 'revoke', u: 'unsure' } as const)[e.key as 'k' | 'r' | 'u']
      if (!row || !d) return
      e.preventDefault()
      decideRef.current(row, d)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])

  const campaignFilter = props.filter.campaign
  const columns = useMemo(() => {
    const firstOfGroup = new Set<string>()
    let last = ''
    for (const r of rows) {
      if (r.identityId !== last) firstOfGroup.add(r.id)
      last = r.identityId
    }
    return col.columns([
      col.accessor('identity', {
        header: 'Identity',
        enableHiding: false,
        cell: (i) => {
          const r = i.row.original
          if (props.grouped && !firstOfGroup.has(r.id))
            return (
              <span className="pl-3 text-slate-500" aria-label={r.identity}>
                ↳ same identity
              </span>
            )
          return (
            <div className="max-w-[18rem] min-w-0 whitespace-normal break-words" title={`Assigned because ${VIA[r.via] ?? r.via}`}>
              <a href={`/${orgSlug}/identities/${r.identityId}`} className="font-medium text-slate-900 hover:text-indigo-700">
                {r.identity}
              </a>
              <PrivilegedBadge privileged={r.privileged} className="ml-1.5" />
              {r.escalated ? (
                <span className="ml-1.5">
                  <Badge tone="amber">escalated</Badge>
                </span>
              ) : null}
              <div className="text-xs text-slate-500">
                {r.kind} · {r.environment} · {r.source}
                {campaignFilter ? '' : ` · ${r.campaign}`}
              </div>
            </div>
          )
        },
      }),
      col.accessor('access', {
        header: 'Access',
        cell: (i) => (
          <div className="max-w-md min-w-64 whitespace-normal text-slate-700">
            {i.getValue()}
            {i.row.original.findings.length ? (
              <div className="text-xs text-amber-700" title={i.row.original.findings.join('\n')}>
                {countOf(i.row.original.findings.length, 'open finding')}
              </div>
            ) : null}
          </div>
        ),
      }),
      col.accessor('lastUsedAt', {
        header: 'Last used',
        cell: (i) => <span title={formatDate(i.getValue())}>{formatLastUsed(i.getValue(), i.row.original.usageReported, now)}</span>,
      }),
      col.accessor('recommendation', {
        header: 'Recommendation',
        cell: (i) => {
          const r = i.row.original
          if (!r.recommendation) return <span className="text-slate-500">—</span>
          return (
            <div className="whitespace-normal">
              <Badge tone={toneOf(DECISION_TONES, r.recommendation)}>{r.recommendation}</Badge>
              <div className="text-xs text-slate-500">{r.reason}</div>
            </div>
          )
        },
      }),
      col.accessor('decision', {
        header: 'Decision',
        enableHiding: false,
        cell: (i) => {
          const r = i.row.original
          const d = r.decision as Decision | null
          return (
            <div className="flex flex-wrap items-center gap-1" data-testid={`decision-${r.id}`}>
              {d ? (
                <span data-testid="current-decision">
                  <Badge tone={toneOf(DECISION_TONES, d)}>{DECISION_LABELS[d]}</Badge>
                </span>
              ) : null}
              {r.firstDecision ? <span className="text-xs text-slate-500">owner said {r.firstDecision}</span> : null}
              <Button size="sm" variant="secondary" disabled={busy} onClick={() => decideRef.current(r, 'keep')} aria-label={`Keep ${r.identity}`}>
                Keep
              </Button>
              <Button size="sm" variant="secondary" disabled={busy} onClick={() => decideRef.current(r, 'revoke')} aria-label={`Revoke ${r.identity}`}>
                Revoke
              </Button>
              {r.campaignType === 'identity' && r.grants.length ? (
                <Button size="sm" variant="ghost" disabled={busy} onClick={() => decideRef.current(r, 'reduce')} aria-label={`Reduce ${r.identity}`}>
                  Reduce
                </Button>
              ) : null}
              <Button size="sm" variant="ghost" disabled={busy} onClick={() => decideRef.current(r, 'unsure')} aria-label={`Don't know ${r.identity}`}>
                ?
              </Button>
            </div>
          )
        },
      }),
    ])
    // Buttons call through decideRef, so the columns depend only on the rows and the view.
  }, [rows, props.grouped, campaignFilter, orgSlug, busy, now])

  return (
    <div ref={tableRef} className="space-y-2">
      {message ? (
        <p
          role="status"
          data-testid="review-message"
          className={`rounded-md px-3 py-2 text-sm ${message.tone === 'ok' ? 'bg-emerald-50 text-emerald-800' : 'border border-rose-200 bg-rose-50 text-rose-800'}`}
        >
          {message.text}
        </p>
      ) : null}
      <DataTable
        ariaLabel="My review items"
        columns={columns}
        {...props.list}
        enableSelection
        onSelectionChange={(ids) => (ids.length === 0 ? setAllMatching(false) : undefined)}
        selectionBar={(ctx) => (
          <BulkBar
            ctx={ctx}
            allMatching={allMatching}
            setAllMatching={setAllMatching}
            busy={busy}
            people={props.people}
            onBulk={(decision, justification) =>
              void decideBulk.run({ orgSlug, decision, justification, ...(allMatching ? { filter: props.filter } : { ids: ctx.selectedIds }) }).then((r) => {
                if (r.ok) {
                  setMessage({
                    tone: 'ok',
                    text: `Decided ${countOf(r.data.decided, 'item')}${r.data.skipped ? ` (${r.data.skipped} skipped: no recommendation or locked)` : ''}.`,
                  })
                  ctx.clearSelection()
                  setAllMatching(false)
                } else setMessage({ tone: 'error', text: errorText(r.error, r.fieldErrors ?? {}) ?? r.error })
              })
            }
            onDelegate={(toUserId, reason) =>
              void delegate.run({ orgSlug, ids: ctx.selectedIds, toUserId, reason }).then((r) => {
                if (r.ok) {
                  setMessage({ tone: 'ok', text: `Handed ${countOf(r.data.count, 'item')} to ${r.data.to}.` })
                  ctx.clearSelection()
                } else setMessage({ tone: 'error', text: errorText(r.error, r.fieldErrors ?? {}) ?? r.error })
              })
            }
          />
        )}
        emptyState={props.emptyState}
      />
      {dialog ? (
        <DecisionDialog
          key={`${dialog.row.id}-${dialog.decision}`}
          pending={dialog}
          busy={busy}
          onCancel={() => setDialog(null)}
          onConfirm={(extra) => send(dialog.row, dialog.decision, extra)}
        />
      ) : null}
    </div>
  )
}

function BulkBar(props: {
  ctx: SelectionBarContext
  allMatching: boolean
  setAllMatching: (v: boolean) => void
  busy: boolean
  people: Option[]
  onBulk: (decision: 'keep' | 'revoke' | 'unsure' | 'accept', justification: string) => void
  onDelegate: (to: string, reason: string) => void
}) {
  const { ctx } = props
  const [justification, setJustification] = useState('')
  const [to, setTo] = useState('')
  const count = props.allMatching ? ctx.total : ctx.selectedIds.length
  return (
    <div className="flex w-full flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium tabular-nums" data-testid="selected-count">
          {count} selected
        </span>
        {!props.allMatching && ctx.allPageRowsSelected && ctx.total > ctx.selectedIds.length ? (
          <button type="button" className="font-medium text-indigo-700 hover:underline" onClick={() => props.setAllMatching(true)}>
            Select all {ctx.total} matching
          </button>
        ) : null}
        <button type="button" className="text-indigo-700 hover:underline" onClick={ctx.clearSelection}>
          Clear
        </button>
        <span className="mx-1 h-4 w-px bg-indigo-200" aria-hidden />
        <Button size="sm" disabled={props.busy} onClick={() => props.onBulk('accept', justification)}>
          Accept recommendations
        </Button>
        <Button size="sm" variant="secondary" disabled={props.busy} onClick={() => props.onBulk('keep', justification)}>
          Keep all
        </Button>
        <Button size="sm" variant="secondary" disabled={props.busy} onClick={() => props.onBulk('revoke', justification)}>
          Revoke all
        </Button>
        <Button size="sm" variant="ghost" disabled={props.busy} onClick={() => props.onBulk('unsure', '')}>
          Don&apos;t know
        </Button>
        <Input
          size="sm"
          aria-label="Justification for all"
          className="w-64"
          placeholder="Justification (applies to all)"
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          maxLength={2000}
        />
      </div>
      {!props.allMatching ? (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={submitted((form) => props.onDelegate(to, String(new FormData(form).get('reason') ?? '')))}
        >
          <label htmlFor="delegate-to" className="text-sm">
            Delegate to
          </label>
          <PeoplePicker
            id="delegate-to"
            className="w-64"
            people={props.people.map((p) => ({ id: p.value, name: p.label }))}
            value={to}
            onChange={setTo}
            placeholder="Type a name…"
            required
          />
          <Input size="sm" name="reason" aria-label="Reason for delegating" className="w-56" placeholder="Reason" required minLength={3} maxLength={500} />
          <Button size="sm" variant="secondary" type="submit" disabled={props.busy}>
            Delegate
          </Button>
        </form>
      ) : null}
    </div>
  )
}

function DecisionDialog({
  pending,
  busy,
  onCancel,
  onConfirm,
}: {
  pending: Pending
  busy: boolean
  onCancel: () => void
  onConfirm: (extra: { justification?: string; reduceGrantIds?: string[] }) => void
}) {
  const { row, decision } = pending
  const [text, setText] = useState('')
  const [picked, setPicked] = useState<string[]>(decision === 'reduce' ? row.suggested : [])
  const required = decision !== 'unsure' && row.needs[decision]
  return (
    <Dialog
      open
      sheet
      onClose={onCancel}
      title={`${DECISION_LABELS[decision]} ${row.identity}`}
      onSubmit={() => onConfirm({ justification: text, ...(decision === 'reduce' ? { reduceGrantIds: picked } : {}) })}
      confirm={{ label: <>Confirm {DECISION_LABELS[decision].toLowerCase()}</>, disabled: busy || (decision === 'reduce' && picked.length === 0) }}
    >
      {decision === 'reduce' ? (
        <fieldset className="max-h-48 space-y-1 overflow-auto rounded-md border border-slate-200 p-2">
          <legend className="px-1 text-sm text-slate-700">Grants to drop (the identity keeps the rest)</legend>
          {row.grants.map((g) => (
            <label key={g.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={picked.includes(g.id)}
                onChange={(e) => setPicked((p) => (e.target.checked ? [...p, g.id] : p.filter((x) => x !== g.id)))}
              />
              {g.label} {g.privileged ? <Badge tone="red">privileged</Badge> : null}
            </label>
          ))}
        </fieldset>
      ) : null}
      <Field label={`Justification${required ? ' (required by this campaign)' : ' (optional)'}`}>
        <Textarea data-autofocus rows={2} value={text} onChange={(e) => setText(e.target.value)} required={required} maxLength={2000} />
      </Field>
    </Dialog>
  )
}
