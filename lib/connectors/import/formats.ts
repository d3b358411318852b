import 'server-only'
import fs from 'node:fs'
import type { DiscoveryPage } from '@/lib/connectors/types'
import { FORMAT_INFO, maxBytesFor, type ImportFormat } from '@/lib/sources/schemas'
import { readAwsCredentialReport } from './aws'
import { readGenericCsv, readGenericJson } from './generic'
import { readGithubBundle } from './github'
import { readKubernetesList } from './kubernetes'
import { ImportFormatError } from './pages'

function formatBytes(n: number) {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`
}

export function tooLargeMessage(format: ImportFormat) {
  return `The file is larger than ${formatBytes(maxBytesFor(format))}, the limit for ${FORMAT_INFO[format].label} files. ${
    FORMAT_INFO[format].json ? 'Split the export (e.g. one namespace or repository group per file) and import each part.' : 'Split it into several files.'
  }`
}

async function readJson(file: string, format: ImportFormat): Promise<unknown> {
  const size = (await fs.promises.stat(file)).size
  if (size > maxBytesFor(format)) throw new ImportFormatError(tooLargeMessage(format))
  const text = await fs.promises.readFile(file, 'utf8')
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (err) {
    throw new ImportFormatError(`This is not valid JSON (${(err as Error).message}). ${FORMAT_INFO[format].label} files are JSON documents.`)
  }
}

/** Reads an uploaded file in the given format as discovery pages: CSV streamed, JSON parsed whole (size-capped). */
export async function* readImportFile(format: ImportFormat, file: string): AsyncGenerator<DiscoveryPage> {
  switch (format) {
    case 'generic_csv':
      yield* readGenericCsv(fs.createReadStream(file, { highWaterMark: 1 << 20 }))
      return
    case 'aws_credential_report':
      yield* readAwsCredentialReport(fs.createReadStream(file, { highWaterMark: 1 << 20 }))
      return
    case 'generic_json':
      yield* readGenericJson(await readJson(file, format))
      return
    case 'kubernetes':
      yield* readKubernetesList(await readJson(file, format))
      return
    case 'github':
      yield* readGithubBundle(await readJson(file, format))
      return
  }
}
