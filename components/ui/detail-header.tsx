import Link from 'next/link'
import type { ReactNode } from 'react'

type Parent = { href: string; label: string }

/** Where a page sits: a link up to the list it belongs to, then the page's own name. */
export function Breadcrumb({ parent, current, className = '' }: { parent: Parent; current: ReactNode; className?: string }) {
  return (
    <nav className={`text-sm text-slate-500 ${className}`} aria-label="Breadcrumb">
      <Link href={parent.href} className="hover:text-slate-800">
        {parent.label}
      </Link>{' '}
      <span aria-hidden>/</span> <span className="text-slate-800">{current}</span>
    </nav>
  )
}

/**
 * The head of one object's page: the breadcrumb from its list, its name, a monospaced line that identifies it (an id,
 * an address), its badges, and its actions on the right.
 */
export function DetailHeader({
  parent,
  title,
  testId,
  subtitle,
  badges,
  actions,
}: {
  parent: Parent
  title: string
  /** data-testid of the heading */
  testId?: string
  subtitle?: ReactNode
  badges?: ReactNode
  actions?: ReactNode
}) {
  return (
    <>
      <Breadcrumb parent={parent} current={title} />
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight" data-testid={testId}>
            {title}
          </h1>
          {subtitle ? <p className="mt-1 font-mono text-xs text-slate-500">{subtitle}</p> : null}
          {badges ? <div className="mt-2 flex flex-wrap gap-1.5">{badges}</div> : null}
        </div>
        {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
      </div>
    </>
  )
}
