import Ajv2020 from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { expect } from 'vitest'
import type { Operation } from '@/lib/api/operation'
import { openApiDocument } from '@/lib/api/openapi'

export type CallOptions = {
  token?: string | null
  params?: Record<string, string>
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: BodyInit
}

/** A caller of the operations through their route files under app/api/v1, as Next does; `token` defaults to the given one. */
export function apiCaller(defaultToken: () => string) {
  return async (op: Operation, opts: CallOptions) => {
    const file = `@/app/api/v1${op.path.replace(/\{(\w+)\}/g, '[$1]')}/route`
    const mod = (await import(/* @vite-ignore */ file)) as Record<string, (req: Request, seg: { params: Promise<unknown> }) => Promise<Response>>
    const handler = mod[op.method.toUpperCase()]
    expect(handler, `${file} exports ${op.method.toUpperCase()}`).toBeTypeOf('function')
    const path = op.path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(opts.params?.[k] ?? ''))
    const url = new URL(`http://localhost/api/v1${path}`)
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v)
    const headers = new Headers(opts.headers)
    if (opts.token !== null) headers.set('authorization', `Bearer ${opts.token ?? defaultToken()}`)
    // A streamed body needs `duplex: 'half'` (fetch's rule for request streams).
    const init = { method: op.method.toUpperCase(), headers, body: opts.body, ...(opts.body instanceof ReadableStream ? { duplex: 'half' } : {}) }
    const res = await handler(new Request(url, init as RequestInit), { params: Promise.resolve(opts.params ?? {}) })
    const text = await res.text()
    const isJson = /json/.test(res.headers.get('content-type') ?? '')
    return { res, status: res.status, text, json: text && isJson ? (JSON.parse(text) as Record<string, unknown>) : null }
  }
}

// The document as served, and a validator for each operation's responses against it.
export const doc = openApiDocument() as unknown as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }>; headers?: Record<string, unknown> }> }>>
  components: object
}
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
export function validate(op: Operation, status: number, contentType: string | null, body: unknown) {
  const response = doc.paths[op.path]?.[op.method]?.responses[String(status)]
  expect(response, `${op.operationId} documents status ${status}`).toBeDefined()
  const media = contentType?.split(';')[0] ?? ''
  const schema = response!.content?.[media]?.schema
  expect(schema, `${op.operationId} ${status} documents ${media}`).toBeDefined()
  // A file answer (format: binary) is its text: any text is valid.
  if ((schema as { format?: string }).format === 'binary') return expect(typeof body).toBe('string')
  const check = ajv.compile({ ...schema, components: doc.components })
  expect(check(body), `${op.operationId} ${status}: ${ajv.errorsText(check.errors)}`).toBe(true)
}
