import { z } from 'zod'

/** An RFC 9457 problem: every error the API answers, with the request id that also names its log line and audit row. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }
}

export const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
}

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'A URI naming the kind of problem; `about:blank` when the status says it all.' }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string().meta({ description: 'What went wrong, in words a person can act on.' }),
    instance: z.string().meta({ description: 'The path that was called.' }),
    requestId: z.string().meta({ description: 'Also in the X-Request-Id header, the server log and the audit row.' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' })
export type Problem = z.infer<typeof problemSchema>

export function problemBody(p: ApiProblem, instance: string, requestId: string): Problem {
  return { type: 'about:blank', title: p.title, status: p.status, detail: p.detail, instance, requestId, ...(p.errors?.length ? { errors: p.errors } : {}) }
}

export function problem(status: number, detail: string, errors?: { path: string; message: string }[], headers?: Record<string, string>) {
  return new ApiProblem(status, PROBLEM_TITLES[status] ?? 'Error', detail, errors, headers)
}

/** zod issues as problem `errors`, one per field. */
export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }))
}
