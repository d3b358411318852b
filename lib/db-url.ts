import path from 'node:path'

/** Absolute path of a file: URL (relative paths are relative to the working directory). */
export function sqliteFile(url: string): string {
  const p = url.slice('file:'.length)
  return path.isAbsolute(p) ? p : path.resolve(/*turbopackIgnore: true*/ process.cwd(), p)
}
