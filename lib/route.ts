import 'server-only'
import { unstable_rethrow } from 'next/navigation'
import { NextResponse } from 'next/server'
import { z } from 'zod'
import { recordDenied } from '@/lib/audit/record'
import type { UserCtx } from '@/lib/auth/org-context'
import { requireOrgContext } from '@/lib/auth/session'
import { can, type Permission } from '@/lib/auth/permissions'
import { AppError, ForbiddenError, ForeignReferenceError, mapPrismaError, NotFoundError, ValidationError } from '@/lib/errors'
import { env } from '@/lib/env'
import { errorFields, logger } from '@/lib/log'
import { isSameOrigin } from '@/lib/origin'
import { metrics } from '@/lib/telemetry/metrics'

export const orgParams = z.object({ orgSlug: z.string().min(1).max(64) })

type Options<P extends z.ZodType<{ orgSlug: string }>, Q extends z.ZodType> = {
  /** names the route in the audit row of a refused attempt */
  name: string
  params: P
  query?: Q
  permission: Permission
  run: (args: { req: Request; ctx: UserCtx; params: z.infer<P>; query: z.infer<Q> }) => Promise<unknown>
}

/** A missing role, already recorded where it was found. */
class RoleRefusal extends ForbiddenError {}

const json = (status: number, body: Record<string, unknown>) => NextResponse.json(body, { status })

/** A person following a link (an e-mailed report, a bookmark), not a script or the app's own fetch. */
const isPageVisit = (req: Request) =>
  req.method === 'GET' && (req.headers.get('sec-fetch-mode') === 'navigate' || /\btext\/html\b/.test(req.headers.get('accept') ?? ''))

/** Signed out: sign in, then come back to the same address (sign-in accepts only a path of this app as callbackUrl). */
function signInFirst(req: Request): Response {
  const from = new URL(req.url)
  // A relative Location: the browser stays on the host it used, whatever the server believes its own address is.
  return new Response(null, { status: 303, headers: { Location: `/sign-in?${new URLSearchParams({ callbackUrl: from.pathname + from.search })}` } })
}

/**
 * The one wrapper every cookie-authenticated route handler uses, like orgAction for actions: Origin check ->
 * route params -> session, membership and role from the database -> permission (refusals audited) -> query
 * -> run. AppError becomes `{ error }` with its status; anything else is logged and answered with a generic
 * 500. run may return a Response (sent as is) or a value (sent as JSON).
 */
// Route files need no `runtime`/`dynamic` exports: since Next 15 a route handler runs per request on Node.js by default.
export function orgRoute<P extends z.ZodType<{ orgSlug: string }>, Q extends z.ZodType = z.ZodObject<Record<string, never>>>(opts: Options<P, Q>) {
  const handle = orgRouteHandler(opts)
  // Counted by the route's name (e.g. `reports.inventory`): bounded labels, never the organization's path.
  return async (req: Request, segment: { params: Promise<unknown> }): Promise<Response> => {
    const t0 = performance.now()
    const res = await handle(req, segment)
    const m = metrics()
    m.httpRequests.inc({ route: opts.name, method: req.method, status: String(res.status) })
    m.httpDuration.observe({ route: opts.name, method: req.method }, (performance.now() - t0) / 1000)
    return res
  }
}

function orgRouteHandler<P extends z.ZodType<{ orgSlug: string }>, Q extends z.ZodType>(opts: Options<P, Q>) {
  return async (req: Request, segment: { params: Promise<unknown> }): Promise<Response> => {
    let ctx: UserCtx | null = null
    try {
      if (!isSameOrigin(req.method, req.headers, [env().appUrl, env().authUrl])) {
        throw new ForbiddenError('This request did not come from Custodian’s own pages, so it was refused.')
      }
      const params = opts.params.safeParse(await segment.params)
      if (!params.success) throw new NotFoundError()
      ctx = await requireOrgContext(params.data.orgSlug)
      if (!can(ctx.role, opts.permission)) {
        await recordDenied(ctx, { action: `permission.${opts.permission}`, targetType: 'route', targetLabel: opts.name, details: { role: ctx.role } })
        throw new RoleRefusal()
      }
      const querySchema: z.ZodType = opts.query ?? z.object({})
      const query = querySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams))
      if (!query.success) throw new ValidationError('Some fields need attention.', z.flattenError(query.error).fieldErrors as Record<string, string[]>)
      const result = await opts.run({ req, ctx, params: params.data, query: query.data as z.infer<Q> })
      return result instanceof Response ? result : NextResponse.json(result)
    } catch (err) {
      unstable_rethrow(err)
      const mapped = mapPrismaError(err)
      if (mapped instanceof AppError && mapped.status === 401 && isPageVisit(req)) return signInFirst(req)
      if (mapped instanceof AppError) {
        // Object-level refusals (another organization's ids, not yours) are refused attempts too, as in orgAction.
        if (ctx && !(err instanceof RoleRefusal) && (mapped.status === 403 || mapped.status === 404 || mapped instanceof ForeignReferenceError)) {
          await recordDenied(ctx, {
            action: `permission.${opts.permission}`,
            targetType: 'route',
            targetLabel: opts.name,
            details: { reason: mapped.message, status: mapped.status },
          })
        }
        const fieldErrors = mapped instanceof ValidationError && Object.keys(mapped.fieldErrors).length ? { fieldErrors: mapped.fieldErrors } : {}
        return json(mapped.status, { error: mapped.message, ...fieldErrors })
      }
      logger('web').error({ route: opts.name, err: errorFields(err) }, 'route failed')
      return json(500, { error: 'Something went wrong on our side. Nothing was changed; try again.' })
    }
  }
}

/** A file for the browser to save: streamed body, its name and type (size when known ahead). */
export type Download = { body: ReadableStream<Uint8Array>; filename: string; contentType: string; size?: number }

/** The HTTP answer for a download: an attachment, never cached, never sniffed into something the browser runs. */
export function downloadResponse(d: Download): Response {
  return new Response(d.body, {
    headers: {
      'Content-Type': d.contentType,
      'Content-Disposition': `attachment; filename="${d.filename}"`,
      ...(d.size !== undefined ? { 'Content-Length': String(d.size) } : {}),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}

/** Every download route: orgRoute on the organization's path, answered with the file `download` makes. */
export function downloadRoute<Q extends z.ZodType = z.ZodObject<Record<string, never>>>(opts: {
  name: string
  query?: Q
  permission: Permission
  download: (args: { req: Request; ctx: UserCtx; query: z.infer<Q> }) => Promise<Download>
}) {
  return orgRoute({ ...opts, params: orgParams, run: async (args) => downloadResponse(await opts.download(args)) })
}
