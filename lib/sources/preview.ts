import 'server-only'
import { readImportFile } from '@/lib/connectors/import/formats'
import type { DiscoveryError } from '@/lib/connectors/types'
import type { ImportFormat } from '@/lib/sources/schemas'

export type PreviewRow = { externalId: string; name: string; kind: string; environment: string; ownerEmail: string | null; createdAt: string | null; lastUsedAt: string | null }
export type ImportPreview = {
  rows: PreviewRow[]
  errors: DiscoveryError[]
  identities: number
  credentials: number
  grants: number
  errorCount: number
  /** false when the scan stopped at its time budget (very large files): the counts cover the part read */
  complete: boolean
}

/**
 * Reads the file as the import will (same reader), keeping the first rows and errors; stops after budgetMs.
 * Runs in the preview job (the worker); onProgress gets the bytes read so far, about once a second.
 */
export async function previewImport(
  format: ImportFormat,
  file: string,
  opts: { rows?: number; errors?: number; budgetMs?: number; onProgress?: (bytes: number) => Promise<void> } = {},
): Promise<ImportPreview> {
  const maxRows = opts.rows ?? 20
  const maxErrors = opts.errors ?? 100
  const deadline = Date.now() + (opts.budgetMs ?? 30_000)
  const p: ImportPreview = { rows: [], errors: [], identities: 0, credentials: 0, grants: 0, errorCount: 0, complete: true }
  const seen = new Set<string>()
  let read = 0
  let reported = Date.now()
  for await (const page of readImportFile(format, file, { onBytes: (n) => (read = n) })) {
    if (opts.onProgress && Date.now() - reported > 1000) {
      reported = Date.now()
      await opts.onProgress(read)
    }
    for (const i of page.identities ?? []) {
      if (seen.size < 1_000_000) seen.add(i.externalId)
      if (p.rows.length < maxRows && !p.rows.some((r) => r.externalId === i.externalId)) {
        p.rows.push({
          externalId: i.externalId, name: i.name, kind: i.kind, environment: i.environment ?? 'unknown', ownerEmail: i.ownerEmail ?? null,
          createdAt: i.createdAt?.toISOString() ?? null, lastUsedAt: i.lastUsedAt?.toISOString() ?? null,
        })
      }
    }
    p.credentials += page.credentials?.length ?? 0
    p.grants += page.grants?.length ?? 0
    for (const e of page.errors ?? []) {
      p.errorCount++
      if (p.errors.length < maxErrors) p.errors.push(e)
    }
    if (Date.now() > deadline) {
      p.complete = false
      break
    }
  }
  p.identities = seen.size
  return p
}
