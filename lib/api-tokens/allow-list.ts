import { BlockList, isIPv6 } from 'node:net'

/**
 * The addresses and ranges (CIDR) a token may be used from, as a BlockList, and those Node could not read. No database
 * or server-only import: the web app (which refuses bad ones at save) and the gateway process (which allows nothing for
 * them) both use it.
 */
export function addressList(cidrs: readonly string[]): { list: BlockList; bad: string[] } {
  const list = new BlockList()
  const bad: string[] = []
  for (const c of cidrs) {
    const [addr, bits] = c.split('/')
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4'
    try {
      if (bits === undefined) list.addAddress(addr, type)
      else list.addSubnet(addr, Number(bits), type)
    } catch {
      bad.push(c)
    }
  }
  return { list, bad }
}
