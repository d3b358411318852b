'use client'
import type { ActionResult } from '@/lib/action'
import { Button } from './button'
import { useOrgAction } from './use-org-action'

/** Disables an active thing or enables a disabled one with one action (`input` makes its input for the new status); a refusal shows beside the button. */
export function StatusToggle<I, T>({
  action,
  input,
  status,
  noun,
  size,
  variant = 'secondary',
  testId,
}: {
  action: (input: I) => Promise<ActionResult<T>>
  input: (status: 'active' | 'disabled') => I
  status: string
  /** said after the verb: "Disable route" */
  noun?: string
  size?: 'sm' | 'md'
  variant?: 'secondary' | 'ghost'
  testId?: string
}) {
  const toggle = useOrgAction(action)
  const active = status === 'active'
  return (
    <>
      <Button
        size={size}
        variant={variant}
        disabled={toggle.pending}
        onClick={() => void toggle.run(input(active ? 'disabled' : 'active'))}
        data-testid={testId}
      >
        {active ? 'Disable' : 'Enable'}
        {noun ? ` ${noun}` : ''}
      </Button>
      {toggle.error ? <span className="text-xs text-rose-700">{toggle.error}</span> : null}
    </>
  )
}
