import 'server-only'
import fs from 'node:fs'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { FORMAT_INFO, maxBytesFor, type ImportFormat } from '@/lib/sources/schemas'
import { readAwsCredentialReport } from './aws'
import { readGenericCsv, readGenericJson } from './generic'
import { readGithubBundle } from './github'
import { readJsonFile } from './json'
import { readKubernetesList } from './kubernetes'
import { formatBytes } from './limits'

export function tooLargeMessage(format: ImportFormat) {
  return `The file is larger than ${formatBytes(maxBytesFor(format))}, the limit for ${FORMAT_INFO[format].label} files. ${
    FORMAT_INFO[format].json ? 'Split the export (e.g. one namespace or repository group per file) and import each part.' : 'Split it into several files.'
  }`
}

async function* fileChunks(file: string, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  let read = 0
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    read += (chunk as Buffer).length
    onBytes?.(read)
    yield chunk as Buffer
  }
}

const readJson = (file: string, format: ImportFormat, onBytes?: (n: number) => void) =>
  readJsonFile(file, { maxBytes: maxBytesFor(format), label: FORMAT_INFO[format].label, tooLarge: tooLargeMessage(format), onBytes })

/**
 * Reads an uploaded file in the given format as discovery pages: CSV streamed, JSON shape-checked then parsed
 * (size-capped). Runs in the job worker, never in the web process. onBytes reports how far the file is read.
 */
export async function* readImportFile(format: ImportFormat, file: string, opts: { onBytes?: (n: number) => void } = {}): AsyncGenerator<DiscoveryPage> {
  switch (format) {
    case 'generic_csv':
      yield* readGenericCsv(fileChunks(file, opts.onBytes))
      return
    case 'aws_credential_report':
      yield* readAwsCredentialReport(fileChunks(file, opts.onBytes))
      return
    case 'generic_json':
      yield* readGenericJson(await readJson(file, format, opts.onBytes))
      return
    case 'kubernetes':
      yield* readKubernetesList(await readJson(file, format, opts.onBytes))
      return
    case 'github':
      yield* readGithubBundle(await readJson(file, format, opts.onBytes))
      return
  }
}
