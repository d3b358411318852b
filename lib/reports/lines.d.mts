export function neutraliseCell(value: string): string
export function textCell(value: string): string
export function asDate(v: unknown): Date | null
export function asBool(v: unknown): boolean
/** An identity's figures for an inventory page: [identity id, figures text]. */
export type Figures = { id: string; v: string }
export function inventoryPage(rows: readonly Record<string, unknown>[], credentials: readonly Figures[], findings: readonly Figures[], now: number): string[]
export function accessPage(rows: readonly Record<string, unknown>[]): string[]
export type PageWriter = 'inventory' | 'access'
export const PAGE_WRITERS: Record<PageWriter, (results: Record<string, unknown>[][], now: number) => string[]>
