// The database stops answering: the gateway keeps serving decisions it has cached for GATEWAY_STALE_SECONDS (here
// 1.5 s), then refuses every call with 503 (fail closed), and serves again once the database is back.
// PostgreSQL: the gateway reaches the server through a TCP relay on loopback that the test cuts (connections dropped,
// new ones refused). SQLite: a file cannot be unplugged while open, so the test renames the GatewayVersion table the
// gateway polls, which makes every poll fail like an unreadable database.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prismaSql } from '@/lib/sql/prisma'
import { sql } from '@/lib/sql/sql'
import { startGateway, type Gateway } from '@/lib/gateway/runtime/server'
import { engine } from './fixtures'
import { call, gatewayOrg, startUpstream, within, type Upstream } from './gateway-setup'

let upstream: Upstream
let gw: Gateway
let o: Awaited<ReturnType<typeof gatewayOrg>>
let relay: { url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> } | null = null

/** A TCP relay to PostgreSQL whose connections the test can cut. */
async function pgRelay(databaseUrl: string) {
  const target = new URL(databaseUrl)
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstreamSocket = net.connect(Number(target.port || 5432), target.hostname)
    sockets.add(client).add(upstreamSocket)
    client.pipe(upstreamSocket).pipe(client)
    const end = () => {
      client.destroy()
      upstreamSocket.destroy()
      sockets.delete(client)
      sockets.delete(upstreamSocket)
    }
    client.on('error', end).on('close', end)
    upstreamSocket.on('error', end).on('close', end)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  const url = new URL(databaseUrl)
  url.hostname = '127.0.0.1'
  url.port = String(port)
  return {
    url: url.toString(),
    async cut() {
      await new Promise<void>((r) => {
        server.close(() => r())
        for (const s of sockets) s.destroy()
      })
    },
    async restore() {
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
    },
    async close() {
      for (const s of sockets) s.destroy()
      if (server.listening) await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

beforeAll(async () => {
  upstream = await startUpstream()
  o = await gatewayOrg(upstream.url)
  let url = process.env.DATABASE_URL!
  if (engine === 'postgresql') {
    relay = await pgRelay(url)
    url = relay.url
  }
  gw = await startGateway({ databaseUrl: url, port: 0, staleSeconds: 1.5, log: () => {} })
})
afterAll(async () => {
  await gw?.close()
  await relay?.close()
  await upstream?.close()
})

async function cut() {
  if (relay) await relay.cut()
  else await prismaSql().execute(sql`ALTER TABLE "GatewayVersion" RENAME TO "GatewayVersion_unreachable"`)
}
async function restore() {
  if (relay) await relay.restore()
  else await prismaSql().execute(sql`ALTER TABLE "GatewayVersion_unreachable" RENAME TO "GatewayVersion"`)
}

describe('gateway: database unreachable', () => {
  it('serves cached decisions for the bound, then fails closed with 503, then recovers', async () => {
    const get = () => call(`${gw.url}${o.route.pathPrefix}/orders/1`, { token: o.token })
    expect((await get()).status).toBe(200)
    await cut()
    const cutAt = Date.now()
    try {
      // Within the bound: the cached token, route and decision still serve.
      expect((await get()).status).toBe(200)
      const failedAfter = await within(4000, async () => (await get()).status === 503)
      // The bound counts from the last answer (at most one poll period, 250 ms, before the cut).
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1000)
      expect(failedAfter).toBeLessThan(3000)
      const refused = await get()
      expect(refused.headers.get('content-type')).toBe('application/problem+json')
      expect(refused.json.detail).toMatch(/fail closed/)
    } finally {
      await restore()
    }
    await within(5000, async () => (await get()).status === 200)
  })
})
