// Verifies an unzipped Custodian evidence pack offline: node scripts/verify-evidence.mjs <folder> [expected key id]
import { createHash, createPublicKey, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const [dir, expectedKid] = process.argv.slice(2)
const read = (name) => readFileSync(join(dir, name))
const manifestBytes = read('manifest.json')
const manifest = JSON.parse(manifestBytes.toString('utf8'))
const key = createPublicKey(read('public-key.pem'))
const kid = createHash('sha256')
  .update(key.export({ type: 'spki', format: 'der' }))
  .digest('hex')
  .slice(0, 16)
let ok = verify(null, manifestBytes, key, read('manifest.sig'))
console.log(`${ok ? 'OK  ' : 'FAIL'} manifest.json signed by key ${kid}${expectedKid && expectedKid !== kid ? ` (expected ${expectedKid}: FAIL)` : ''}`)
if (expectedKid && expectedKid !== kid) ok = false
for (const f of manifest.files) {
  const bytes = read(f.name)
  const good = bytes.length === f.size && createHash('sha256').update(bytes).digest('hex') === f.sha256
  console.log(`${good ? 'OK  ' : 'FAIL'} ${f.name}`)
  ok &&= good
}
console.log(ok ? `Pack verified: ${manifest.organization.name}, chain head ${manifest.auditChainHead.seq}` : 'Pack does NOT verify')
process.exit(ok ? 0 : 1)
