import type { Metadata } from 'next'
import Link from 'next/link'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { env } from '@/lib/env'
import { recommendedAudience } from '@/lib/federation/schemas'
import { ProviderForm } from '../_components/provider-form'

export const metadata: Metadata = { title: 'New trust provider' }

export default async function NewProviderPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'source:manage', 'federation/new'))) return <Forbidden orgSlug={ctx.org.slug} what="adding trust providers" />
  return (
    <div className="max-w-4xl">
      <nav className="mb-2 text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href={`/${ctx.org.slug}/federation`} className="hover:text-slate-800">
          Federation
        </Link>{' '}
        <span aria-hidden>/</span> <span className="text-slate-800">New provider</span>
      </nav>
      <PageHeader
        title="New trust provider"
        description="Custodian fetches the issuer’s signing keys (and picks up rotated ones by kid); its tokens are accepted only when a rule maps them to an identity."
      />
      <Card>
        <ProviderForm orgSlug={ctx.org.slug} recommendedAudience={recommendedAudience(env().appUrl, ctx.org.slug)} />
      </Card>
    </div>
  )
}
