import { z } from 'zod'
import { defineOperation, type Operation } from '@/lib/api/operation'

export const MAX_PAGE_SIZE = 200
export const DEFAULT_PAGE_SIZE = 50
export const id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/)
  .meta({ description: 'An id as returned by the API.', example: 'cm9x2k1ab0000' })
export const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(DEFAULT_PAGE_SIZE)
  .meta({ description: `Page size (at most ${MAX_PAGE_SIZE}).` })
export const cursor = z.string().max(200).optional().meta({ description: 'Opaque: `nextCursor` of the previous page.' })
export const dateTime = z.iso.datetime()
export const person = z.object({ id: z.string(), name: z.string() }).meta({ id: 'PersonRef' })

/** A comma-separated list of enum values, strict: an unknown value is a 400, not ignored. */
export function csvEnum<T extends readonly [string, ...string[]]>(values: T, what: string) {
  const one = `(${values.join('|')})`
  return z
    .string()
    .regex(new RegExp(`^${one}(,${one})*$`), `Use one or more of: ${values.join(', ')} (comma-separated).`)
    .optional()
    .meta({ description: `${what}: one or more of ${values.join(', ')}, comma-separated.` })
}

export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null
}

export function page<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({ data: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }) })
    .meta({ id: name })
}

type ListOperation<P extends z.ZodObject, Q extends z.ZodObject> = Omit<Operation<P, Q>, 'method' | 'success' | 'problems'> & {
  /** one item of the page and the name its page schema gets in the document */
  item: z.ZodType
  pageName: string
  description: string
  /** problems besides 400 (a list under one object: 404) */
  problems?: number[]
}

/** A list: a GET answering a page of items with `nextCursor`, or a 400 for a bad filter or cursor — the same for every list. */
export function defineListOperation<Q extends z.ZodObject, P extends z.ZodObject = z.ZodObject>({
  item,
  pageName,
  description,
  problems = [],
  ...op
}: ListOperation<P, Q>) {
  return defineOperation({ ...op, method: 'get', success: { status: 200, description, schema: page(item, pageName) }, problems: [400, ...problems] })
}
