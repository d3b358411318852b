// How much of an uploaded file the import readers accept. Every dimension is bounded, so no file (a line of a
// million commas, JSON nested a hundred thousand deep) can take more than a few megabytes of memory to refuse.
// The byte limits per upload are in lib/sources/schemas.ts (the browser shows them).

export type CsvLimits = {
  /** bytes in one record (a record may span lines when a quoted field holds line breaks) */
  maxRecordBytes: number
  maxFields: number
  maxRecords: number
}

export const CSV_LIMITS: CsvLimits = { maxRecordBytes: 1024 ** 2, maxFields: 1_000, maxRecords: 10_000_000 }

export type JsonLimits = {
  maxDepth: number
  maxArrayItems: number
  maxObjectKeys: number
  /** bytes of one string as written in the file (escapes included) */
  maxStringBytes: number
}

// kubectl output nests about 15 deep and a Kubernetes secret holds at most 1 MiB (1.4 MB as base64).
export const JSON_LIMITS: JsonLimits = { maxDepth: 64, maxArrayItems: 1_000_000, maxObjectKeys: 100_000, maxStringBytes: 2 * 1024 ** 2 }

export const count = (n: number) => new Intl.NumberFormat('en-US').format(n)

export function formatBytes(n: number) {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`
  if (n >= 1024 ** 2) return `${Math.round(n / 1024 ** 2)} MB`
  return `${Math.round(n / 1024)} KB`
}
