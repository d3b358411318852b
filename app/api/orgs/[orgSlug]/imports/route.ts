import { NextResponse } from 'next/server'
import { orgParams, orgRoute } from '@/lib/route'
import { receiveUpload } from '@/lib/sources/receive'
import { uploadQuerySchema } from '@/lib/sources/schemas'

/**
 * POST the raw file as the body, with ?format=&sourceId=&name= : it is streamed to disk and its preview is
 * queued (202 with the preview job's id, which the page polls at ./[jobId]).
 */
export const POST = orgRoute({
  name: 'imports.upload',
  params: orgParams,
  query: uploadQuerySchema,
  permission: 'source:manage',
  run: async ({ req, ctx, query }) => {
    const length = req.headers.get('content-length')
    return NextResponse.json(await receiveUpload(ctx, query, req.body, length ? Number(length) : null), { status: 202 })
  },
})
