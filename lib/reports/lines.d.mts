export function neutraliseCell(value: string): string
export function textCell(value: string): string
export function asDate(v: unknown): Date | null
export function asBool(v: unknown): boolean
/** An identity's figures for an inventory page: [identity id, figures text]. */
export type Figures = readonly [string, string]
export const INVENTORY_ROW: readonly string[]
export const ACCESS_ROW: readonly string[]
/** Names by id of the sources, users and teams an export has met (a user's email beside the name). */
export type Names = Map<string, { name: unknown; email?: unknown }>
export function unknownNames(rows: readonly (readonly unknown[])[], names: Names): string[]
export function rememberNames(names: Names, asked: readonly string[], rows: readonly (readonly unknown[])[]): void
export function inventoryPage(
  rows: readonly (readonly unknown[])[],
  credentials: readonly Figures[],
  findings: readonly Figures[],
  now: number,
  names: Names,
): string[]
export function accessPage(rows: readonly (readonly unknown[])[]): string[]
export type PageWriter = 'inventory' | 'access'
export const PAGE_WRITERS: Record<PageWriter, (results: unknown[][][], now: number, names: Names) => string[]>
