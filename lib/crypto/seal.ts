import 'server-only'
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'
import { encryptionSecret } from '@/lib/env'

// Secrets Custodian must keep but never in clear (organizations' signing keys, an invitation link on its way to the
// mail server) are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from CUSTODIAN_ENCRYPTION_KEY (or the
// session secret when that is not set) and from the purpose, so a value sealed for one use cannot be opened as another.

export type SealPurpose = 'org-signing-key' | 'invitation-mail' | 'webhook-secret' | 'idempotent-replay'

function key(purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionSecret(), 'custodian', `seal:${purpose}`, 32))
}

export function seal(plain: string, purpose: SealPurpose): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key(purpose), iv)
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return ['v1', ...[iv, c.getAuthTag(), body].map((b) => b.toString('base64url'))].join('.')
}

/** null when the sealed text was tampered with, sealed for another purpose, or under another secret. */
export function unseal(sealed: string, purpose: SealPurpose): string | null {
  try {
    const [version, ...parts] = sealed.split('.')
    if (version !== 'v1' || parts.length !== 3) return null
    const [iv, tag, body] = parts.map((p) => Buffer.from(p, 'base64url'))
    const d = createDecipheriv('aes-256-gcm', key(purpose), iv)
    d.setAuthTag(tag)
    return Buffer.concat([d.update(body), d.final()]).toString('utf8')
  } catch {
    return null
  }
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex')
}
