import 'server-only'
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { authSecret } from '@/lib/env'

// The invitation e-mail job needs the link's token, but jobs live in the database: the token travels sealed
// (AES-256-GCM under a key derived from AUTH_SECRET, which the database never holds) and the job blanks it once sent.
function key(): Buffer {
  return createHash('sha256').update('custodian invitation mail\u0000').update(authSecret()).digest()
}

export function seal(plain: string): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key(), iv)
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return [iv, c.getAuthTag(), body].map((b) => b.toString('base64url')).join('.')
}

/** null when the sealed text was tampered with or sealed under another secret. */
export function unseal(sealed: string): string | null {
  try {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'))
    const d = createDecipheriv('aes-256-gcm', key(), iv)
    d.setAuthTag(tag)
    return Buffer.concat([d.update(body), d.final()]).toString('utf8')
  } catch {
    return null
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
