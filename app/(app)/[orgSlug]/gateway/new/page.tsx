import type { Metadata } from 'next'
import { FormPage } from '@/components/ui/form-page'
import { Forbidden } from '@/components/ui/forbidden'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { RouteForm } from '../_components/route-form'

export const metadata: Metadata = { title: 'New gateway route' }

export default async function NewRoutePage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'gateway:manage', 'gateway/new'))) return <Forbidden orgSlug={ctx.org.slug} what="creating gateway routes" />
  return (
    <FormPage
      parent={{ href: `/${ctx.org.slug}/gateway`, label: 'Gateway' }}
      title="New route"
      description="The route becomes a resource of the “Custodian gateway” source; its rules become entitlements, reviewed like any other access."
    >
      <RouteForm orgSlug={ctx.org.slug} />
    </FormPage>
  )
}
