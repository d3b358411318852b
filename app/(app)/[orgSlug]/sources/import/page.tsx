import type { Metadata } from 'next'
import Link from 'next/link'
import { Forbidden } from '@/components/ui/forbidden'
import { PageHeader } from '@/components/ui/page-header'
import { pageAllows, pageContext } from '@/lib/auth/session'
import { listSources } from '@/lib/sources/queries'
import { FormatGuide } from '../_components/format-guide'
import { ImportFlow } from '../_components/import-flow'

export const metadata: Metadata = { title: 'Import a file' }

export default async function ImportPage({ params, searchParams }: { params: Promise<{ orgSlug: string }>; searchParams: Promise<{ source?: string }> }) {
  const { orgSlug } = await params
  const ctx = await pageContext(orgSlug)
  if (!(await pageAllows(ctx, 'source:manage', 'sources/import'))) return <Forbidden orgSlug={ctx.org.slug} what="imports" />
  const { source } = await searchParams
  const sources = (await listSources(ctx))
    .filter((s) => s.importFormat)
    .map((s) => ({ id: s.id, name: s.name, format: s.importFormat!, defaultEnvironment: s.defaultEnvironment }))
  const initial = sources.some((s) => s.id === source) ? source! : (sources[0]?.id ?? '')
  return (
    <>
      <PageHeader
        title="Import a file"
        description="Upload an export, check the preview, then import. The formats Custodian reads, and how to produce each, are described below."
        actions={
          <Link href={`/${ctx.org.slug}/sources`} className="text-sm text-indigo-700 hover:underline">
            ← Sources
          </Link>
        }
      />
      <ImportFlow orgSlug={ctx.org.slug} sources={sources} initialSourceId={initial} />
      <FormatGuide current={sources.find((s) => s.id === initial)?.format} />
    </>
  )
}
