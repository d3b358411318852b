// Demo mode of the gateway (`npm run gateway -- --demo`, run by `npm start` when demo mode is on): a tiny upstream on
// loopback that wants an API key, the `/demo` route to it with a rule for one seeded NHI, and that NHI's gateway token
// in data/demo-gateway-token (mode 0600), so a newcomer can call through the gateway in the first minute.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { openDriverSql } from '@/lib/sql/driver'
import { sql } from '@/lib/sql/sql'
import { DEMO_GATEWAY, ensureDemoGatewayToken, seedDemoGateway } from '@/lib/seed/gateway'

/** The demo upstream: answers /hello, /echo and /orders/<id> when the gateway sent the right key, 401 otherwise. */
export async function startDemoUpstream(port: number, key: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let bytes = 0
    req.on('data', (c: Buffer) => (bytes += c.length))
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body, null, 2) + '\n')
      }
      if (req.headers['x-api-key'] !== key) return json(401, { error: 'this upstream wants its API key (the gateway injects it)' })
      const url = new URL(req.url ?? '/', 'http://demo')
      const receivedHeaders = Object.keys(req.headers).sort()
      if (url.pathname === '/hello')
        return json(200, {
          message: 'Hello from the demo upstream, through the Custodian gateway.',
          apiKeyAccepted: true,
          requestId: req.headers['x-request-id'],
        })
      if (url.pathname === '/echo') return json(200, { method: req.method, path: url.pathname, query: url.search, bodyBytes: bytes, receivedHeaders })
      const order = /^\/orders\/([\w-]+)$/.exec(url.pathname)
      if (order) return json(200, { id: order[1], status: 'shipped', amount: 42.5, currency: 'EUR' })
      json(404, { error: `no ${url.pathname} here` })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return server
}

/** Starts the demo upstream and makes sure the demo route, rule and token exist; returns what to print. */
export async function prepareDemo(
  databaseUrl: string,
  tokenFile: string,
): Promise<{ upstream: http.Server; token: string | null; identityName: string | null }> {
  // The upstream's key lives in this process only (an environment variable the route names), like a real secret.
  process.env[DEMO_GATEWAY.secretRef] ||= randomBytes(18).toString('base64url')
  const port = Number(process.env.GATEWAY_DEMO_UPSTREAM_PORT ?? DEMO_GATEWAY.upstreamPort)
  const upstream = await startDemoUpstream(port, process.env[DEMO_GATEWAY.secretRef]!)
  const s = await openDriverSql(databaseUrl)
  try {
    const [org] = await s.query<{ id: string }>(sql`SELECT "id" FROM "Organization" WHERE "slug" = 'acme'`)
    if (!org) return { upstream, token: null, identityName: null }
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
    const demo = await seedDemoGateway(s, { orgId: org.id, upstreamUrl })
    if (!demo) return { upstream, token: null, identityName: null }
    // The seed points the route at the default port; follow GATEWAY_DEMO_UPSTREAM_PORT when it differs.
    await s.execute(
      sql`UPDATE "GatewayRoute" SET "upstreamUrl" = ${upstreamUrl}, "updatedAt" = ${new Date()} WHERE "orgId" = ${org.id} AND "id" = ${demo.routeId} AND "upstreamUrl" <> ${upstreamUrl}`,
    )
    const token = await ensureDemoGatewayToken(s, demo, tokenFile)
    return { upstream, token, identityName: demo.identityName }
  } finally {
    await s.close()
  }
}
