import type { ReactNode } from 'react'

/** The answer to the person's last action, announced by screen readers; renders nothing while there is none. */
export function StatusText({ children, className, as: Tag = 'span', testId }: { children: ReactNode; className: string; as?: 'span' | 'p'; testId?: string }) {
  if (!children) return null
  return (
    <Tag className={className} role="status" data-testid={testId}>
      {children}
    </Tag>
  )
}
