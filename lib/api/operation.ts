import type { z } from 'zod'
import type { ApiScope } from '@/lib/api-tokens/schemas'
import type { TokenCtx } from '@/lib/api/authenticate'

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'
type Obj = z.ZodObject

/** One API operation: its contract (the OpenAPI document is built from these) and what it does. */
export type Operation<P extends Obj = Obj, Q extends Obj = Obj, B extends Obj = Obj> = {
  operationId: string
  method: Method
  /** OpenAPI path under /api/v1, e.g. `/identities/{id}` */
  path: string
  summary: string
  tag: string
  scope: ApiScope
  params?: P
  query?: Q
  body?: B
  /** the success answer: its status and schema */
  success: {
    status: 200 | 201 | 202 | 204
    description: string
    schema?: z.ZodType
    /** a `Location` header from the answer (a 202's operation to poll) */
    location?: (result: never) => string
    /** a file answer: its media types (the document's content), and `run` returns a Download streamed as it is */
    file?: { mediaTypes: string[]; headers?: Record<string, string> }
  }
  /**
   * A streamed NDJSON body instead of a JSON one (ingestion at scale): the schema documents one line; `run` gets the
   * lines as they arrive (`lines`, in batches), never the whole body in memory. No Idempotency-Key: such an operation is an upsert.
   */
  ndjson?: { line: z.ZodType; maxBytes: number; description: string }
  /** the problem statuses this operation documents besides 401/403 (which every operation has) */
  problems: number[]
  run: (args: { ctx: TokenCtx; params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; lines: AsyncIterable<string[]> }) => Promise<unknown>
}

export function defineOperation<P extends Obj = Obj, Q extends Obj = Obj, B extends Obj = Obj>(op: Operation<P, Q, B>): Operation<P, Q, B> {
  return op
}
