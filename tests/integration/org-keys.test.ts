import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { orgPublicKeys, orgSigner, verifySignature } from '@/lib/keys/org-keys'
import { createOrg, engine } from './fixtures'

describe(`organization signing keys (${engine})`, () => {
  it('one Ed25519 key per organization, made once even when asked for at once, kept sealed, audited', async () => {
    const { org, ctx } = await createOrg()
    const admin = ctx('admin')
    const signers = await Promise.all([orgSigner(admin), orgSigner(admin), orgSigner(admin)])
    expect(new Set(signers.map((s) => s.kid)).size).toBe(1)
    const rows = await db.orgKey.findMany({ where: { orgId: org.id } })
    expect(rows).toHaveLength(1)
    // The private key is never in clear in the database.
    expect(rows[0].privateKey).not.toMatch(/PRIVATE KEY|^MC4C/)
    expect(rows[0].publicKey).toContain('BEGIN PUBLIC KEY')
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'org-key.create' } })).toBe(1)
    expect((await orgSigner(admin)).kid).toBe(signers[0].kid)
    expect((await orgPublicKeys(org.id)).map((k) => k.kid)).toEqual([signers[0].kid])
  })

  it('signatures verify with the public key alone, with Node and with openssl; another organization’s key does not', async () => {
    const a = await createOrg()
    const b = await createOrg()
    const signer = await orgSigner(a.ctx('admin'))
    const data = Buffer.from('{"files":[{"name":"evidence.csv","sha256":"ab"}]}')
    const signature = signer.sign(data)
    expect(verifySignature(signer.publicKeyPem, data, signature)).toBe(true)
    expect(verifySignature(signer.publicKeyPem, Buffer.concat([data, Buffer.from(' ')]), signature)).toBe(false)
    expect(verifySignature((await orgSigner(b.ctx('admin'))).publicKeyPem, data, signature)).toBe(false)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-sig-'))
    fs.writeFileSync(path.join(dir, 'key.pem'), signer.publicKeyPem)
    fs.writeFileSync(path.join(dir, 'data'), data)
    fs.writeFileSync(path.join(dir, 'sig'), signature)
    const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'key.pem', '-rawin', '-in', 'data', '-sigfile', 'sig'], {
      cwd: dir,
      encoding: 'utf8',
    })
    expect(out).toContain('Signature Verified Successfully')
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
