import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

/**
 * A SCRAM-SHA-256 verifier for ALTER ROLE ... PASSWORD, computed here so the plain password never
 * reaches the server (nor its statement log). Format: SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>.
 * The password must be ASCII (SASLprep is then the identity), which generated passwords are.
 */
export function scramVerifier(password: string, iterations = 4096, salt = randomBytes(16)): string {
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Error('generated passwords are printable ASCII')
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

/** 32 random bytes, URL-safe: 43 printable characters. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url')
}
