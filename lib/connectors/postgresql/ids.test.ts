import { describe, expect, it } from 'vitest'
import { credentialId, entitlementId, parseCredentialId, parseEntitlementId, resourceId } from './ids'
import { scramVerifier } from './scram'

describe('postgresql external ids', () => {
  it('round-trips any identifier, dots, slashes and quotes included', () => {
    const id = entitlementId(resourceId.table('we.ird/"schema', 'tab#le'), 'SELECT')
    expect(parseEntitlementId(id)).toEqual({ on: 'table', schema: 'we.ird/"schema', table: 'tab#le', privilege: 'SELECT' })
    expect(parseEntitlementId(entitlementId(resourceId.role('app readers'), 'MEMBER'))).toEqual({ on: 'role', role: 'app readers', privilege: 'MEMBER' })
    expect(parseEntitlementId('cluster#BYPASSRLS')).toEqual({ on: 'cluster', privilege: 'BYPASSRLS' })
    expect(parseCredentialId(credentialId('app/x'))).toBe('app/x')
  })
  it('refuses anything it did not write, so nothing foreign becomes SQL', () => {
    for (const bad of [
      'table:public/orders#SELECT; DROP TABLE x',
      'table:public#SELECT',
      'schema:public#SELECT',
      'cluster#LOGIN',
      'role:x#ADMIN',
      'nonsense',
      'table:%E0%A4%A/x#SELECT',
    ]) {
      expect(parseEntitlementId(bad)).toBeNull()
    }
    expect(parseCredentialId('token:abc')).toBeNull()
  })
  it('builds a SCRAM-SHA-256 verifier in PostgreSQL’s format (RFC 7677 test vector)', () => {
    // RFC 7677: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    const v = scramVerifier('pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'))
    expect(v).toBe('SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=')
  })
})
