import type { Metadata } from 'next'
import { FormPage } from '@/components/ui/form-page'
import { Forbidden } from '@/components/ui/forbidden'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { env } from '@/lib/env'
import { recommendedAudience } from '@/lib/federation/schemas'
import { ProviderForm } from '../_components/provider-form'

export const metadata: Metadata = { title: 'New trust provider' }

export default async function NewProviderPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const ctx = await pageContext((await params).orgSlug)
  if (!(await pageAllows(ctx, 'source:manage', 'federation/new'))) return <Forbidden orgSlug={ctx.org.slug} what="adding trust providers" />
  return (
    <FormPage
      parent={{ href: `/${ctx.org.slug}/federation`, label: 'Federation' }}
      crumb="New provider"
      title="New trust provider"
      description="Custodian fetches the issuer’s signing keys (and picks up rotated ones by kid); its tokens are accepted only when a rule maps them to an identity."
    >
      <ProviderForm orgSlug={ctx.org.slug} recommendedAudience={recommendedAudience(env().appUrl, ctx.org.slug)} />
    </FormPage>
  )
}
