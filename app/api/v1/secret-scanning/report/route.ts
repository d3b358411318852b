import { handleLeakReport, leakReportSchema, scannerSignatureProblem } from '@/lib/api-tokens/leaks'
import { apiLog } from '@/lib/api/log'
import { ApiProblem, issuesOf, problem, problemBody } from '@/lib/api/problem'
import { countHttp, readBytes, requestIdOf } from '@/lib/api/route'
import { errorFields } from '@/lib/log'

/**
 * GitHub secret scanning's partner intake: not called with an API token but signed by the scanner (ECDSA P-256, the key
 * in CUSTODIAN_SECRET_SCANNER_PUBLIC_KEY). Unsigned or badly signed reports are refused (401) before the body is read
 * as JSON; each reported string that is a Custodian token is revoked at once (lib/api-tokens/leaks.ts).
 */
export async function POST(req: Request): Promise<Response> {
  const t0 = performance.now()
  const res = await answer(req, requestIdOf(req.headers))
  countHttp('/api/v1/secret-scanning/report', 'POST', res.status, (performance.now() - t0) / 1000)
  return res
}

async function answer(req: Request, requestId: string): Promise<Response> {
  const url = new URL(req.url)
  try {
    const bytes = await readBytes(req)
    const bad = scannerSignatureProblem(bytes, req.headers.get('github-public-key-identifier'), req.headers.get('github-public-key-signature'))
    if (bad) throw problem(401, bad)
    let json: unknown
    try {
      json = JSON.parse(bytes.toString('utf8'))
    } catch {
      throw problem(400, 'The body is not valid JSON.')
    }
    const parsed = leakReportSchema.safeParse(json)
    if (!parsed.success) throw problem(422, 'Send a JSON array of { token, type, url, source }.', issuesOf(parsed.error))
    const verdicts = await handleLeakReport(parsed.data)
    apiLog().warn(
      { requestId, route: '/secret-scanning/report', reported: verdicts.length, truePositives: verdicts.filter((v) => v.label === 'true_positive').length },
      'secret scanning report',
    )
    return Response.json(verdicts, { headers: { 'X-Request-Id': requestId, 'Cache-Control': 'no-store' } })
  } catch (err) {
    const p = err instanceof ApiProblem ? err : null
    if (!p) apiLog().error({ requestId, err: errorFields(err) }, 'secret scanning report failed')
    const pr = p ?? problem(500, 'Something went wrong on our side. Send the report again.')
    return new Response(JSON.stringify(problemBody(pr, url.pathname, requestId)), {
      status: pr.status,
      headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': requestId, 'Cache-Control': 'no-store' },
    })
  }
}
