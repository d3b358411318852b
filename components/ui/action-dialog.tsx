'use client'
import { useState, type ReactNode } from 'react'
import type { ActionResult } from '@/lib/action'
import { Button } from './button'
import { Dialog } from './dialog'
import { FormError } from './field'
import { useOrgAction } from './use-org-action'

type Options<I, T> = NonNullable<Parameters<typeof useOrgAction<I, T>>[1]>

/** useOrgAction for an action run from a dialog, with the dialog's open state: a success closes it, closing forgets the last answer. */
export function useDialogAction<I, T>(action: (input: I) => Promise<ActionResult<T>>, options: Options<I, T> = {}) {
  const [open, setOpen] = useState(false)
  const run = useOrgAction(action, {
    ...options,
    onSuccess: (data, input) => {
      setOpen(false)
      options.onSuccess?.(data, input)
    },
  })
  const close = () => {
    setOpen(false)
    run.reset()
  }
  return { ...run, open, show: () => setOpen(true), close }
}

export type DialogAction = Pick<ReturnType<typeof useDialogAction>, 'open' | 'show' | 'close' | 'pending' | 'error' | 'fieldErrors'>

/**
 * A button that opens a dialog whose form runs one action (from useDialogAction): Cancel and the confirming button
 * (its label while the action runs), and the action's message under the body. With `fields`, the body's fields show
 * their own messages, and the general one shows only when no field has one.
 */
export function ActionDialog({
  action,
  trigger,
  title,
  confirm,
  onSubmit,
  fields = false,
  size,
  testId,
  children,
}: {
  action: DialogAction
  trigger: { label: ReactNode; testId?: string; size?: 'sm' | 'md'; variant?: 'primary' | 'secondary' | 'danger' | 'ghost'; disabled?: boolean; title?: string }
  title: ReactNode
  confirm: { label: string; pending: string; variant?: 'primary' | 'danger'; testId?: string }
  onSubmit: () => void
  fields?: boolean
  size?: 'md' | 'lg'
  testId?: string
  children: ReactNode
}) {
  return (
    <>
      <Button
        size={trigger.size}
        variant={trigger.variant}
        disabled={trigger.disabled}
        title={trigger.title}
        onClick={action.show}
        data-testid={trigger.testId}
      >
        {trigger.label}
      </Button>
      <Dialog
        open={action.open}
        onClose={action.close}
        busy={action.pending}
        size={size}
        title={title}
        testId={testId}
        onSubmit={onSubmit}
        confirm={{ label: action.pending ? confirm.pending : confirm.label, variant: confirm.variant, disabled: action.pending, testId: confirm.testId }}
      >
        {children}
        <FormError>{fields && Object.keys(action.fieldErrors).length ? null : action.error}</FormError>
      </Dialog>
    </>
  )
}
