'use client'
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { Button } from './button'

const WIDTH = { md: 'max-w-lg', lg: 'max-w-2xl' } as const

/**
 * The one dialog: a native <dialog> (focus moves in, Escape closes, the page behind is inert), a titled header
 * with a close button, a body and a footer of buttons. With `onSubmit` the body and footer are a form, so Enter
 * submits and a footer button of type submit confirms. `sheet` docks it to the bottom of the window without
 * blocking the page (the table behind stays usable). An element marked `data-autofocus` gets the focus on open.
 * `confirm` makes the usual footer: Cancel, then the confirming button.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  footer,
  confirm,
  onSubmit,
  busy = false,
  size = 'md',
  sheet = false,
  testId,
}: {
  open: boolean
  onClose: () => void
  title: ReactNode
  children: ReactNode
  footer?: ReactNode
  /** the confirming button; without onClick it submits the dialog's form */
  confirm?: { label: ReactNode; onClick?: () => void; variant?: 'primary' | 'danger'; disabled?: boolean; testId?: string }
  onSubmit?: () => void
  /** while true, Escape and the close button do nothing (a request is on its way) */
  busy?: boolean
  size?: keyof typeof WIDTH
  sheet?: boolean
  testId?: string
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const d = ref.current
    if (!d) return
    if (open && !d.open) {
      if (sheet) d.show()
      else d.showModal()
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus()
    }
    if (!open && d.open) d.close()
  }, [open, sheet])
  const close = () => {
    if (!busy) onClose()
  }
  const buttons =
    footer ??
    (confirm ? (
      <>
        <Button type="button" variant="secondary" onClick={close} disabled={busy}>
          Cancel
        </Button>
        <Button
          type={confirm.onClick ? 'button' : 'submit'}
          variant={confirm.variant}
          onClick={confirm.onClick}
          disabled={confirm.disabled}
          data-testid={confirm.testId}
        >
          {confirm.label}
        </Button>
      </>
    ) : null)

  const body = (
    <>
      <header className="flex items-center justify-between gap-3 border-b border-slate-100 px-5 py-3">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        <button
          type="button"
          onClick={close}
          className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none"
          aria-label="Close"
        >
          ✕
        </button>
      </header>
      <div className={`space-y-4 px-5 py-4 text-sm text-slate-700 ${sheet ? 'max-h-[50vh] overflow-y-auto' : ''}`}>{children}</div>
      {buttons ? <footer className="flex justify-end gap-2 border-t border-slate-100 px-5 py-3">{buttons}</footer> : null}
    </>
  )
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault()
        close()
      }}
      onKeyDown={(e) => {
        // A non-modal dialog gets no cancel event from the browser.
        if (sheet && e.key === 'Escape') {
          e.stopPropagation()
          close()
        }
      }}
      // text-left, whitespace-normal: a dialog opened from a table cell would otherwise inherit its alignment and no-wrap.
      className={
        sheet
          ? 'fixed inset-x-0 top-auto bottom-0 z-30 m-0 w-full max-w-none border-t border-slate-200 bg-white p-0 text-left whitespace-normal text-slate-900 shadow-lg'
          : `m-auto w-full ${WIDTH[size]} rounded-lg border border-slate-200 bg-white p-0 text-left whitespace-normal text-slate-900 shadow-xl backdrop:bg-slate-900/40`
      }
    >
      {open ? (
        onSubmit ? (
          <form
            className={`flex flex-col ${sheet ? 'mx-auto max-w-3xl' : ''}`}
            onSubmit={(e) => {
              e.preventDefault()
              onSubmit()
            }}
          >
            {body}
          </form>
        ) : (
          <div className={`flex flex-col ${sheet ? 'mx-auto max-w-3xl' : ''}`}>{body}</div>
        )
      ) : null}
    </dialog>
  )
}
