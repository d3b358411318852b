import type { Metadata } from 'next'
import Link from 'next/link'
import { Card } from '@/components/ui/card'
import { Forbidden } from '@/components/ui/forbidden'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { getOrgSettings } from '@/lib/inventory/queries'
import { PostureForm } from './posture-form'

export const metadata: Metadata = { title: 'Posture thresholds' }

export default async function PostureSettingsPage({ params }: { params: Promise<{ orgSlug: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'settings:manage', 'settings/posture'))) return <Forbidden orgSlug={ctx.org.slug} what="posture thresholds" />
  const s = await getOrgSettings(ctx)
  return (
    <>
      <PageHeader
        title="Posture thresholds"
        description={
          <>
            The limits the findings engine applies to every identity.{' '}
            <Link href={`/${ctx.org.slug}/settings`} className="text-indigo-700 hover:underline">
              Back to settings
            </Link>
          </>
        }
      />
      <Card>
        <PostureForm
          orgSlug={ctx.org.slug}
          values={{
            dormantDays: s.dormantDays,
            rotationMaxDays: s.rotationMaxDays,
            privilegedUnusedDays: s.privilegedUnusedDays,
            humanUseWindowDays: s.humanUseWindowDays,
          }}
        />
      </Card>
    </>
  )
}
