import type { Metadata } from 'next'
import Link from 'next/link'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { RouteForm } from '../_components/route-form'

export const metadata: Metadata = { title: 'New gateway route' }

export default async function NewRoutePage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'gateway:manage', 'gateway/new'))) return <Forbidden orgSlug={ctx.org.slug} what="creating gateway routes" />
  return (
    <div className="max-w-4xl">
      <nav className="mb-2 text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href={`/${ctx.org.slug}/gateway`} className="hover:text-slate-800">
          Gateway
        </Link>{' '}
        <span aria-hidden>/</span> <span className="text-slate-800">New route</span>
      </nav>
      <PageHeader
        title="New route"
        description="The route becomes a resource of the “Custodian gateway” source; its rules become entitlements, reviewed like any other access."
      />
      <Card>
        <RouteForm orgSlug={ctx.org.slug} />
      </Card>
    </div>
  )
}
