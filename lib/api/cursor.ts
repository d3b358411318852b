import { z } from 'zod'
import { problem } from '@/lib/api/problem'

const pageCursor = z.strictObject({ v: z.literal(1), page: z.number().int().min(2).max(1_000_000), size: z.number().int().min(1).max(1000) })

/** An opaque cursor for the next page (base64url JSON); clients pass it back as is. */
export function encodeCursor(page: number, size: number): string {
  return Buffer.from(JSON.stringify({ v: 1, page, size })).toString('base64url')
}

/** The page a cursor points at, or a 400 problem for one that was not made by this API. */
export function decodeCursor(cursor: string | undefined, size: number): number {
  if (cursor === undefined) return 1
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    raw = null
  }
  const parsed = pageCursor.safeParse(raw)
  if (!parsed.success)
    throw problem(400, 'The cursor is not valid. Pass `nextCursor` from the previous page unchanged.', [{ path: 'cursor', message: 'Invalid cursor.' }])
  if (parsed.data.size !== size)
    throw problem(400, 'Keep the same `limit` while following a cursor.', [{ path: 'limit', message: `This cursor was made for limit=${parsed.data.size}.` }])
  return parsed.data.page
}

/** A list paged by offset (identities, findings): the cursor names the next page of the domain's own paging. */
export async function offsetPaged<Q extends { cursor?: string; limit: number }, R, T>(
  query: Q,
  list: (filter: Omit<Q, 'cursor' | 'limit'>, page: number, size: number) => Promise<R[]>,
  dto: (row: R) => T,
) {
  const page = decodeCursor(query.cursor, query.limit)
  const { cursor: _cursor, limit: size, ...filter } = query
  const rows = await list(filter, page, size)
  return { data: rows.map(dto), nextCursor: rows.length === size ? encodeCursor(page + 1, size) : null }
}
