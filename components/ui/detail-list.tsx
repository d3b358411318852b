import type { ReactNode } from 'react'

/** One object's settings or facts as a definition list; `columns={2}` sets the rows side by side on wide screens. */
export function DetailList({ columns = 1, testId, children }: { columns?: 1 | 2; testId?: string; children: ReactNode }) {
  return (
    <dl className={columns === 2 ? 'grid gap-x-10 gap-y-2 text-sm md:grid-cols-2' : 'space-y-2 text-sm'} data-testid={testId}>
      {children}
    </dl>
  )
}

/** A row of a DetailList: the label on the left, the value on the right. */
export function DetailRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-3">
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-right text-slate-900">{children}</dd>
    </div>
  )
}
