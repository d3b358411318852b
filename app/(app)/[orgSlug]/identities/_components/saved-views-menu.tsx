'use client'
import Link from 'next/link'
import { useState } from 'react'
import { Badge } from '@/components/ui/badge'
import { Dialog } from '@/components/ui/dialog'
import { Field, FormError, Input } from '@/components/ui/field'
import { Popover } from '@/components/ui/popover'
import { fieldsOrError, submitted, useOrgAction } from '@/components/ui/use-org-action'
import type { ActionResult } from '@/lib/action'
import { createSavedViewAction, deleteSavedViewAction, updateSavedViewAction } from '@/lib/saved-views/actions'
import type { SavedViewDto } from '@/lib/saved-views/queries'

type Open = { kind: 'save' } | { kind: 'edit'; view: SavedViewDto } | { kind: 'delete'; view: SavedViewDto } | null

const itemAction =
  'rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none'

/** Named inventory views: open one, save the current one, rename or delete your own (admins may delete shared ones). */
export function SavedViewsMenu({ orgSlug, views, canShare, current }: { orgSlug: string; views: SavedViewDto[]; canShare: boolean; current: string }) {
  const [dialog, setDialog] = useState<Open>(null)
  const [name, setName] = useState('')
  const [shared, setShared] = useState(false)
  const [replace, setReplace] = useState(false)
  const base = `/${orgSlug}/identities`
  const active = views.find((v) => v.query === current)
  const mine = views.filter((v) => v.mine)
  const others = views.filter((v) => !v.mine)
  const submitAction = (d: NonNullable<Open>): Promise<ActionResult<unknown>> => {
    if (d.kind === 'save') return createSavedViewAction({ orgSlug, name, params: current, shared })
    if (d.kind === 'edit')
      return updateSavedViewAction({
        orgSlug,
        viewId: d.view.id,
        name,
        ...(shared !== d.view.shared ? { shared } : {}),
        ...(replace ? { params: current } : {}),
      })
    return deleteSavedViewAction({ orgSlug, viewId: d.view.id })
  }
  const save = useOrgAction(submitAction, { onSuccess: () => setDialog(null) })

  const openDialog = (d: NonNullable<Open>) => {
    save.reset()
    setName(d.kind === 'save' ? '' : d.view.name)
    setShared(d.kind === 'edit' ? d.view.shared : false)
    setReplace(false)
    setDialog(d)
  }
  const submit = () => {
    if (dialog) void save.run(dialog)
  }

  const row = (v: SavedViewDto, close: () => void) => (
    <li key={v.id} className="group flex items-center gap-1 rounded-md px-1 hover:bg-slate-50">
      <Link
        href={v.query ? `${base}?${v.query}` : base}
        onClick={close}
        aria-current={v.id === active?.id ? 'page' : undefined}
        className="min-w-0 flex-1 truncate rounded px-1.5 py-1.5 text-slate-800 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none aria-[current=page]:font-semibold aria-[current=page]:text-indigo-800"
      >
        {v.name}
        {!v.mine ? ' ' : null}
        {!v.mine ? <span className="ml-1 text-xs font-normal text-slate-500">by {v.ownerName}</span> : null}
      </Link>
      {v.mine && v.shared ? <Badge tone="violet">shared</Badge> : null}
      {(
        [
          ['edit', 'Edit', v.canEdit],
          ['delete', 'Delete', v.canDelete],
        ] as const
      ).map(([kind, label, allowed]) =>
        allowed ? (
          <button
            key={kind}
            type="button"
            className={itemAction}
            aria-label={`${label} ${v.name}`}
            onClick={() => {
              close()
              openDialog({ kind, view: v })
            }}
          >
            {label}
          </button>
        ) : null,
      )}
    </li>
  )

  const title = dialog?.kind === 'save' ? 'Save this view' : dialog?.kind === 'edit' ? 'Edit view' : dialog?.kind === 'delete' ? 'Delete view' : ''
  return (
    <>
      <Popover
        label="Saved views"
        align="left"
        panelClassName="w-80"
        buttonClassName="inline-flex max-w-[18rem] items-center gap-1.5 rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm ring-1 ring-slate-300 ring-inset hover:bg-slate-50 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
        button={<span className="truncate">{active ? `View: ${active.name}` : 'Saved views'}</span>}
      >
        {(close) => (
          <div data-testid="saved-views">
            <Section title="My views" empty="No saved views yet. Filter the inventory, then save the view to come back to it.">
              {mine.map((v) => row(v, close))}
            </Section>
            {others.length ? <Section title="Shared with the organization">{others.map((v) => row(v, close))}</Section> : null}
            <div className="mt-1 border-t border-slate-100 pt-1">
              <button
                type="button"
                onClick={() => {
                  close()
                  openDialog({ kind: 'save' })
                }}
                className="w-full rounded-md px-2 py-1.5 text-left font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
              >
                Save current view…
              </button>
            </div>
          </div>
        )}
      </Popover>
      <Dialog
        open={dialog !== null}
        onClose={() => setDialog(null)}
        title={title}
        confirm={{
          label: save.pending ? 'Working…' : dialog?.kind === 'delete' ? 'Delete' : 'Save',
          onClick: submit,
          variant: dialog?.kind === 'delete' ? 'danger' : 'primary',
          disabled: save.pending,
        }}
      >
        {dialog?.kind === 'delete' ? (
          <p>
            Delete <strong>{dialog.view.name}</strong>
            {dialog.view.shared ? ' for everyone in the organization' : ''}? The identities are not affected.
          </p>
        ) : (
          <form className="space-y-3" onSubmit={submitted(() => submit())}>
            <Field label="Name">
              <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required data-autofocus name="name" />
            </Field>
            {dialog?.kind === 'save' ? <p className="text-xs text-slate-500">Keeps the current filters, sort, page size and columns.</p> : null}
            {dialog?.kind === 'edit' && dialog.view.query !== current ? (
              <label className="flex items-start gap-2">
                <input type="checkbox" className="mt-0.5 size-4 accent-indigo-600" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
                <span>
                  Use the filters on screen now
                  <span className="block text-xs text-slate-500">Replaces the view&apos;s filters, sort, page size and columns with the current ones.</span>
                </span>
              </label>
            ) : null}
            {canShare || (dialog?.kind === 'edit' && dialog.view.shared) ? (
              <label className="flex items-start gap-2">
                <input
                  type="checkbox"
                  className="mt-0.5 size-4 accent-indigo-600"
                  checked={shared}
                  onChange={(e) => setShared(e.target.checked)}
                  disabled={!canShare && !shared}
                />
                <span>
                  Share with the organization
                  <span className="block text-xs text-slate-500">Everyone in the organization sees it in their menu; only you can change it.</span>
                </span>
              </label>
            ) : null}
          </form>
        )}
        <FormError>{fieldsOrError(save.error, save.fieldErrors)}</FormError>
      </Dialog>
    </>
  )
}

function Section({ title, empty, children }: { title: string; empty?: string; children: React.ReactNode[] }) {
  return (
    <section aria-label={title} className="py-1">
      <h3 className="px-2 pt-1 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{title}</h3>
      {children.length ? <ul className="max-h-64 overflow-y-auto">{children}</ul> : <p className="px-2 pb-1 text-xs text-slate-500">{empty}</p>}
    </section>
  )
}
