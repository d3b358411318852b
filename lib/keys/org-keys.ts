import 'server-only'
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { recordAudit } from '@/lib/audit/record'
import type { Actor } from '@/lib/auth/org-context'
import { seal, unseal } from '@/lib/crypto/seal'
import { db, type Tx } from '@/lib/db'

// Each organization signs with its own Ed25519 key: evidence manifests and audit checkpoints today, its access tokens
// with workload federation. The private key is stored sealed and opened only in memory to sign; anyone can check a
// signature with the public key (openssl or Node), without Custodian running.

export type OrgSigner = {
  kid: string
  alg: 'Ed25519'
  publicKeyPem: string
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' }
  sign(data: Buffer | string): Buffer
}

type KeyCtx = { org: { id: string }; actor: Actor }
type Row = { kid: string; publicKey: string; privateKey: string }

/** The key id: the first 16 hex characters of the SHA-256 of the public key's DER encoding. */
export function kidOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16)
}

function signerOf(row: Row): OrgSigner {
  const pem = unseal(row.privateKey, 'org-signing-key')
  if (!pem) throw new Error('The organization’s signing key cannot be opened: CUSTODIAN_ENCRYPTION_KEY (or AUTH_SECRET) changed since it was made.')
  const privateKey = createPrivateKey(pem)
  const publicKey = createPublicKey(row.publicKey)
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string }
  return {
    kid: row.kid,
    alg: 'Ed25519',
    publicKeyPem: row.publicKey,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: row.kid, alg: 'EdDSA', use: 'sig' },
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey),
  }
}

/**
 * The organization's current signing key, made on first use (audited as `org-key.create`). Creation locks the
 * organization's row first, so two processes asking at once end with one key.
 */
export async function orgSigner(ctx: KeyCtx): Promise<OrgSigner> {
  const current = await db.orgKey.findFirst({ where: { orgId: ctx.org.id, retiredAt: null }, orderBy: { createdAt: 'asc' } })
  if (current) return signerOf(current)
  return db.$transaction(async (tx) => {
    await tx.organization.update({ where: { id: ctx.org.id }, data: { auditSeq: { increment: 0 } } })
    const again = await tx.orgKey.findFirst({ where: { orgId: ctx.org.id, retiredAt: null }, orderBy: { createdAt: 'asc' } })
    if (again) return signerOf(again)
    return createKey(tx, ctx)
  })
}

async function createKey(tx: Tx, ctx: KeyCtx): Promise<OrgSigner> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const row = {
    kid: kidOf(publicKey),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: seal(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'org-signing-key'),
  }
  await tx.orgKey.create({ data: { orgId: ctx.org.id, alg: 'Ed25519', ...row } })
  await recordAudit(tx, ctx, {
    action: 'org-key.create',
    targetType: 'org-key',
    targetId: row.kid,
    targetLabel: `Ed25519 key ${row.kid}`,
    details: { kid: row.kid, alg: 'Ed25519' },
  })
  return signerOf(row)
}

/** Every public key the organization has signed with (current and retired), to verify what they signed. */
export async function orgPublicKeys(orgId: string): Promise<{ kid: string; publicKeyPem: string; createdAt: Date; retiredAt: Date | null }[]> {
  const rows = await db.orgKey.findMany({
    where: { orgId },
    orderBy: { createdAt: 'asc' },
    select: { kid: true, publicKey: true, createdAt: true, retiredAt: true },
  })
  return rows.map((r) => ({ kid: r.kid, publicKeyPem: r.publicKey, createdAt: r.createdAt, retiredAt: r.retiredAt }))
}

/** Checks an Ed25519 signature with a PEM public key. */
export function verifySignature(publicKeyPem: string, data: Buffer | string, signature: Buffer): boolean {
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, createPublicKey(publicKeyPem), signature)
  } catch {
    return false
  }
}
