import { getPolicies } from '@/lib/policies/queries'
import { downloadRoute } from '@/lib/route'

/** The organization's current policies as a `.cedar` file, to keep in git (import brings one back as a new version). */
export const GET = downloadRoute({
  name: 'policies.export',
  permission: 'source:read',
  download: async ({ ctx }) => {
    const p = await getPolicies(ctx)
    const bytes = new TextEncoder().encode(p.text)
    return {
      body: new Blob([bytes]).stream(),
      filename: `${ctx.org.slug}-policies-v${p.version}.cedar`,
      contentType: 'text/plain; charset=utf-8',
      size: bytes.byteLength,
    }
  },
})
