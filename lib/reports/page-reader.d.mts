import type Database from 'better-sqlite3'
import type { Rendered } from '@/lib/sql/sql'
import type { PageWriter } from './lines.mjs'

/** A page of an export as the SQLite page writer takes it (lib/reports/export-threads.ts: renderPage). */
export type RenderedPage = { statements: Rendered[]; lookup?: Rendered; writer: PageWriter; now: number }
export function openExportConnection(file: string): Database.Database
export function sqlitePageWriter(db: Database.Database): (page: RenderedPage) => string[]
