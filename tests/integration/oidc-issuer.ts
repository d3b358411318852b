// A real OpenID Connect issuer on loopback for the federation tests: its discovery document and a JWKS of keys made
// with jose, which a test can rotate (publish a new key, drop an old one).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'

export type Key = { kid: string; alg: string; privateKey: CryptoKey; jwk: JWK }

export async function newKey(alg: 'RS256' | 'ES256' = 'RS256', kid = randomUUID().slice(0, 8)): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

export class Issuer {
  server!: Server
  url = ''
  published: Key[] = []
  /** how many times the JWKS was fetched */
  fetches = 0
  async start() {
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ issuer: this.url, jwks_uri: `${this.url}/jwks` }))
      } else if (req.url === '/jwks') {
        this.fetches++
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ keys: this.published.map((k) => k.jwk) }))
      } else {
        res.statusCode = 404
        res.end()
      }
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }
  stop() {
    return new Promise<void>((r) => this.server.close(() => r()))
  }
}
