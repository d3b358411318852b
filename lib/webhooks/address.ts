import { BlockList, isIP } from 'node:net'

// Addresses a webhook must not reach in a configured deployment (SSRF): loopback, private, link-local (cloud metadata),
// carrier-grade NAT, unspecified, multicast and reserved ranges, IPv4 and IPv6 (IPv4-mapped IPv6 is read as IPv4).
const blocked = new BlockList()
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  blocked.addSubnet(net, bits, 'ipv6')

/** True for an address a webhook may not reach unless private addresses are allowed. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return isPrivateAddress(mapped[1])
  const family = isIP(address)
  if (family === 4) return blocked.check(address, 'ipv4')
  if (family === 6) return blocked.check(address, 'ipv6')
  return true
}

/** null when the URL may receive webhooks, else why not (the host is checked again at each connection). */
export function webhookUrlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return 'The URL is not valid.'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'Only http:// and https:// URLs receive webhooks.'
  if (u.username || u.password) return 'The URL must not hold a user name or password.'
  if (allowPrivate) return null
  const host = u.hostname.replace(/^\[|\]$/g, '')
  if (host === 'localhost' || host.endsWith('.localhost')) return 'Webhooks cannot be sent to localhost in this deployment.'
  if (isIP(host) && isPrivateAddress(host)) return 'Webhooks cannot be sent to private, loopback or link-local addresses in this deployment.'
  return null
}
