import { createHash, randomInt } from 'node:crypto'
import { crc32 } from 'node:zlib'

// Token format: `cust_` + 8-character public id + 28-character secret (base62, ~166 bits unknown to anyone who sees the
// id) + 6-character CRC32 of everything before it. The fixed prefix lets secret scanners recognise a leaked token; the
// checksum lets the API refuse a mistyped or made-up token without touching the database.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const TOKEN_PREFIX = 'cust_'
const ID_LENGTH = 8
const SECRET_LENGTH = 28
const CHECKSUM_LENGTH = 6
export const TOKEN_PATTERN = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{${ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH}}$`)

function randomBase62(n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) out += BASE62[randomInt(62)]
  return out
}

function base62(n: number, width: number): string {
  let out = ''
  for (let v = n; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out
  return out.padStart(width, '0')
}

export function checksumOf(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH)
}

/** A new token: its plaintext (shown once), its public id and the hash that is stored. */
export function newToken(): { token: string; prefix: string; hash: string } {
  const prefix = randomBase62(ID_LENGTH)
  const body = `${TOKEN_PREFIX}${prefix}${randomBase62(SECRET_LENGTH)}`
  const token = body + checksumOf(body)
  return { token, prefix, hash: hashToken(token) }
}

/** SHA-256 suffices: with ~166 random bits a token cannot be guessed from its hash, so a slow password hash adds nothing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The public id of a well-formed token with a valid checksum, or null: checked before any database lookup. */
export function parseToken(token: string): { prefix: string } | null {
  if (!TOKEN_PATTERN.test(token)) return null
  const body = token.slice(0, -CHECKSUM_LENGTH)
  if (checksumOf(body) !== token.slice(-CHECKSUM_LENGTH)) return null
  return { prefix: token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + ID_LENGTH) }
}

/** How a token is shown after creation: its public part only. */
export function displayPrefix(prefix: string): string {
  return `${TOKEN_PREFIX}${prefix}…`
}
