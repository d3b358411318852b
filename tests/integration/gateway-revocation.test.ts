// Revocation reaches every gateway process within a second: two gateway child processes (`scripts/gateway.ts`)
// serve an identity from warm caches; revoking its token, disabling it or revoking its grant stops its calls on both.
// SQLite: the processes poll GatewayVersion; PostgreSQL: LISTEN custodian_gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { addIdentity, uid } from './fixtures'
import { addGatewayToken, addRule, call, gatewayOrg, spawnGateway, startUpstream, within, type Upstream } from './gateway-setup'

let upstream: Upstream
let gateways: Awaited<ReturnType<typeof spawnGateway>>[] = []
let o: Awaited<ReturnType<typeof gatewayOrg>>

beforeAll(async () => {
  upstream = await startUpstream()
  o = await gatewayOrg(upstream.url)
  gateways = await Promise.all([spawnGateway(), spawnGateway()])
})
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()))
  await upstream?.close()
})

/** A fresh identity with its own rule, grant and token, already allowed (and cached) on both gateways. */
async function allowedEverywhere() {
  const identity = await addIdentity(o.org.id, o.source.id, { name: uid('revocable-') })
  const { grant } = await addRule(o.org.id, o.route, { identityId: identity.id, methods: ['GET'], paths: ['/orders/*'] })
  const { token, row } = await addGatewayToken(o.org.id, identity.id)
  await within(3000, async () => {
    const statuses = await Promise.all(gateways.map((g) => call(`${g.url}${o.route.pathPrefix}/orders/1`, { token }).then((r) => r.status)))
    return statuses.every((s) => s === 200)
  })
  return { identity, grant: grant!, token, tokenRow: row }
}

async function refusedOnBothWithin(token: string, status: number): Promise<number> {
  return within(1000, async () => {
    const statuses = await Promise.all(gateways.map((g) => call(`${g.url}${o.route.pathPrefix}/orders/1`, { token }).then((r) => r.status)))
    return statuses.every((s) => s === status)
  })
}

describe('gateway: revocation on two processes', () => {
  it('a revoked token is refused (401) on both within a second', async () => {
    const a = await allowedEverywhere()
    await db.apiToken.update({ where: { id: a.tokenRow.id }, data: { revokedAt: new Date() } })
    expect(await refusedOnBothWithin(a.token, 401)).toBeLessThan(1000)
  })

  it('a disabled identity is refused (403) on both within a second', async () => {
    const a = await allowedEverywhere()
    await db.identity.update({ where: { id: a.identity.id }, data: { status: 'disabled' } })
    expect(await refusedOnBothWithin(a.token, 403)).toBeLessThan(1000)
  })

  it('a revoked grant withdraws its rule (403) on both within a second', async () => {
    const a = await allowedEverywhere()
    await db.grant.update({ where: { id: a.grant.id }, data: { status: 'revoked', revokedAt: new Date() } })
    expect(await refusedOnBothWithin(a.token, 403)).toBeLessThan(1000)
    const res = await call(`${gateways[1].url}${o.route.pathPrefix}/orders/1`, { token: a.token })
    expect(res.json.detail).toMatch(/grant on a rule of this route is revoked/)
  })
})
