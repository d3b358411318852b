// JSON exports (kubectl, GitHub bundle, generic JSON) are parsed whole with JSON.parse, which holds the
// document in memory. What keeps that bounded: a file limit much lower than CSV's (MAX_JSON_BYTES), and a
// streaming byte pre-scan that refuses, before anything is parsed, a document nested too deep or with an array,
// object or string larger than JSON_LIMITS. The scan holds one counter per open level, so it runs in constant
// memory whatever the file; a stream-parser would avoid the whole-document step but is not a dependency here.
import fs from 'node:fs'
import { count, formatBytes, JSON_LIMITS, type JsonLimits } from './limits'
import { ImportFormatError } from './pages'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const COMMA = 0x2c
const LF = 0x0a

const EXPORT_HINT = 'Kubernetes, GitHub and generic JSON exports stay well inside it: check that this is the right file, or split the export.'

/**
 * Checks a JSON document's shape as its bytes stream by. Strings are followed exactly as JSON.parse reads them
 * (a quote opens, an unescaped quote closes), so up to the first syntax error (where JSON.parse stops anyway)
 * the depth and sizes it counts are the document's.
 */
export class JsonShapeScanner {
  private inString = false
  private escaped = false
  private stringBytes = 0
  private depth = 0
  private line = 1
  private readonly items: Int32Array
  private readonly openedOn: Int32Array
  private readonly isArray: Uint8Array

  constructor(private readonly limits: JsonLimits = JSON_LIMITS) {
    this.items = new Int32Array(limits.maxDepth + 1)
    this.openedOn = new Int32Array(limits.maxDepth + 1)
    this.isArray = new Uint8Array(limits.maxDepth + 1)
  }

  /** Throws ImportFormatError at the first limit exceeded. */
  feed(buf: Uint8Array) {
    const { maxDepth, maxArrayItems, maxObjectKeys, maxStringBytes } = this.limits
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (c === BACKSLASH) this.escaped = true
        else if (c === QUOTE) {
          this.inString = false
          continue
        }
        if (++this.stringBytes > maxStringBytes) {
          throw new ImportFormatError(
            `A string starting on line ${count(this.line)} is longer than ${formatBytes(maxStringBytes)}, the limit for one value. ${EXPORT_HINT}`,
          )
        }
        continue
      }
      switch (c) {
        case QUOTE:
          this.inString = true
          this.stringBytes = 0
          break
        case OPEN_ARRAY:
        case OPEN_OBJECT:
          if (++this.depth > maxDepth) {
            throw new ImportFormatError(
              `The JSON is nested more than ${maxDepth} levels deep (line ${count(this.line)}), the limit for an import. ${EXPORT_HINT}`,
            )
          }
          this.items[this.depth] = 0
          this.openedOn[this.depth] = this.line
          this.isArray[this.depth] = c === OPEN_ARRAY ? 1 : 0
          break
        case CLOSE_ARRAY:
        case CLOSE_OBJECT:
          if (this.depth > 0) this.depth--
          break
        case COMMA:
          if (this.depth === 0) break
          // n commas separate n + 1 items.
          if (this.isArray[this.depth]) {
            if (++this.items[this.depth] >= maxArrayItems) {
              throw new ImportFormatError(
                `The array opened on line ${count(this.openedOn[this.depth])} holds more than ${count(maxArrayItems)} items, the limit for an import. ${EXPORT_HINT}`,
              )
            }
          } else if (++this.items[this.depth] >= maxObjectKeys) {
            throw new ImportFormatError(
              `The object opened on line ${count(this.openedOn[this.depth])} has more than ${count(maxObjectKeys)} keys, the limit for an import. ${EXPORT_HINT}`,
            )
          }
          break
        case LF:
          this.line++
          break
      }
    }
  }
}

/** Reads a JSON upload: size-checked, shape-checked in a streaming pass, then parsed. */
export async function readJsonFile(
  file: string,
  opts: { maxBytes: number; label: string; tooLarge: string; limits?: JsonLimits; onBytes?: (n: number) => void },
): Promise<unknown> {
  const size = (await fs.promises.stat(file)).size
  if (size > opts.maxBytes) throw new ImportFormatError(opts.tooLarge)
  const scanner = new JsonShapeScanner(opts.limits)
  let read = 0
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    scanner.feed(chunk as Buffer)
    read += (chunk as Buffer).length
    opts.onBytes?.(read)
  }
  const text = await fs.promises.readFile(file, 'utf8')
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (err) {
    throw new ImportFormatError(`This is not valid JSON (${(err as Error).message}). ${opts.label} files are JSON documents.`)
  }
}
