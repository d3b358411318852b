import type { ReactNode } from 'react'
import { Card } from './card'
import { Breadcrumb } from './detail-header'
import { PageHeader } from './page-header'

/** A page that holds one creation form: the breadcrumb from its list, a title with what the new thing becomes, the form in a card. */
export function FormPage({
  parent,
  crumb,
  title,
  description,
  children,
}: {
  parent: { href: string; label: string }
  /** the breadcrumb's last step, when shorter than the title */
  crumb?: string
  title: string
  description?: ReactNode
  children: ReactNode
}) {
  return (
    <div className="max-w-4xl">
      <Breadcrumb parent={parent} current={crumb ?? title} className="mb-2" />
      <PageHeader title={title} description={description} />
      <Card>{children}</Card>
    </div>
  )
}
