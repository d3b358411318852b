// Shared by the gateway integration tests: an organization with a gateway route, a rule and a token, real upstream
// HTTP servers on loopback, and a gateway started in this process or as child processes (`scripts/gateway.ts`).
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { newToken } from '@/lib/api-tokens/format'
import { db } from '@/lib/db'
import { addIdentity, createOrg, uid } from './fixtures'

export const DAY = 86_400_000

export type Upstream = {
  url: string
  port: number
  calls: { method: string; url: string; headers: http.IncomingHttpHeaders; bodyBytes: number }[]
  close(): Promise<void>
}

/** A small upstream: /slow waits, /status/<n> answers n, everything else echoes what it received as JSON. */
export async function startUpstream(handler?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<Upstream> {
  const calls: Upstream['calls'] = []
  const server = http.createServer((req, res) => {
    let bodyBytes = 0
    req.on('data', (c: Buffer) => (bodyBytes += c.length))
    req.on('end', () => {
      calls.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes })
      if (handler?.(req, res)) return
      if (req.url?.includes('/slow')) return void setTimeout(() => res.end('late'), 1500)
      const m = /\/status\/(\d+)/.exec(req.url ?? '')
      const body = JSON.stringify({ method: req.method, url: req.url, bodyBytes })
      res.writeHead(m ? Number(m[1]) : 200, { 'content-type': 'application/json', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-upstream': 'yes' })
      res.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}

export async function gatewaySource(orgId: string) {
  return (
    (await db.source.findFirst({ where: { orgId, type: 'gateway' } })) ??
    (await db.source.create({ data: { orgId, name: 'Custodian gateway', type: 'gateway' } }))
  )
}

type RouteInput = Partial<{
  name: string
  pathPrefix: string
  authKind: string
  authHeader: string | null
  authPrefix: string | null
  secretRef: string | null
  oauthTokenUrl: string | null
  oauthClientId: string | null
  timeoutMs: number
  connectTimeoutMs: number
  maxBodyBytes: number
  ratePerSecond: number
  burst: number
  status: string
}>

/** A route with its Resource in the organization's gateway source. */
export async function addRoute(orgId: string, upstreamUrl: string, r: RouteInput = {}) {
  const source = await gatewaySource(orgId)
  const name = r.name ?? uid('route-')
  const resource = await db.resource.create({ data: { orgId, sourceId: source.id, externalId: uid('gwr-'), name, type: 'gateway_route' } })
  return db.gatewayRoute.create({
    data: { ...r, orgId, name, pathPrefix: r.pathPrefix ?? `/${name}`, upstreamUrl, resourceId: resource.id },
  })
}

/** A rule (and its Entitlement) on a route; for an identity rule, the identity's Grant on it. */
export async function addRule(
  orgId: string,
  route: { id: string; resourceId: string },
  rule: { identityId?: string; teamId?: string; tagKey?: string; tagValue?: string; methods: string[]; paths: string[] },
) {
  const source = await gatewaySource(orgId)
  const principalType = rule.identityId ? 'identity' : rule.teamId ? 'team' : 'tag'
  const entitlement = await db.entitlement.create({
    data: { orgId, sourceId: source.id, resourceId: route.resourceId, externalId: uid('gwe-'), name: `${rule.methods.join(',')} ${rule.paths.join(',')}` },
  })
  const row = await db.gatewayRule.create({
    data: {
      orgId,
      routeId: route.id,
      principalType,
      identityId: rule.identityId ?? null,
      teamId: rule.teamId ?? null,
      tagKey: rule.tagKey ?? null,
      tagValue: rule.tagValue ?? null,
      methods: JSON.stringify(rule.methods),
      paths: JSON.stringify(rule.paths),
      entitlementId: entitlement.id,
    },
  })
  const grant = rule.identityId
    ? await db.grant.create({ data: { orgId, identityId: rule.identityId, entitlementId: entitlement.id, createdAt: new Date() } })
    : null
  return { rule: row, entitlement, grant }
}

export async function addGatewayToken(
  orgId: string,
  identityId: string | null,
  o: { scopes?: string[]; expiresAt?: Date; revokedAt?: Date; allowedIps?: string[] } = {},
) {
  const t = newToken()
  const row = await db.apiToken.create({
    data: {
      orgId,
      name: uid('gw-token-'),
      prefix: t.prefix,
      hash: t.hash,
      scopes: JSON.stringify(o.scopes ?? ['gateway:call']),
      allowedIps: JSON.stringify(o.allowedIps ?? []),
      expiresAt: o.expiresAt ?? new Date(Date.now() + 30 * DAY),
      revokedAt: o.revokedAt ?? null,
      identityId,
    },
  })
  return { token: t.token, row }
}

/** An organization, an identity, a route to the upstream and a rule letting the identity GET/POST /orders and /orders/*. */
export async function gatewayOrg(upstreamUrl: string, route: RouteInput = {}) {
  const o = await createOrg()
  const identity = await addIdentity(o.org.id, o.source.id, { name: uid('payments-deploy-') })
  const r = await addRoute(o.org.id, upstreamUrl, route)
  const rule = await addRule(o.org.id, r, { identityId: identity.id, methods: ['GET', 'POST'], paths: ['/orders', '/orders/*'] })
  const { token, row } = await addGatewayToken(o.org.id, identity.id)
  return { ...o, identity, route: r, ...rule, token, tokenRow: row }
}

/** A gateway as a child process (`npm run gateway`'s command) on a free port. */
export async function spawnGateway(env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/gateway.ts'], {
    env: { ...process.env, GATEWAY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (c) => (err += String(c)))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 30_000)
    child.stdout!.on('data', (c) => {
      out += String(c)
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}: ${err}`)))
  })
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r()
        child.once('exit', () => r())
        child.kill('SIGTERM')
      }),
  }
}

export async function call(url: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  const res = await fetch(url, { ...init, headers })
  const text = await res.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** Lets a change reach the gateway (SQLite polls every 250 ms; PostgreSQL notifies at commit). */
export const settle = () => new Promise((r) => setTimeout(r, 400))

/** A call with node:http, which (unlike fetch) sends any header, Connection included. */
export function rawCall(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      let text = ''
      res.on('data', (c) => (text += String(c)))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, json: JSON.parse(text || '{}') }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Polls until fn returns true or the time is up; returns the milliseconds it took. */
export async function within(ms: number, fn: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    if (await fn()) return Date.now() - t0
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
