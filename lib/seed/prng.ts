/** Small seeded PRNG (sfc32, seeded through splitmix32) so demo data is reproducible without Math.random. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    let s = seed >>> 0
    const split = () => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = split()
    this.b = split()
    this.c = split()
    this.d = split()
    for (let i = 0; i < 12; i++) this.uint32()
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** Pick from [item, weight] pairs. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0
    for (const [, w] of items) total += w
    let r = this.next() * total
    for (const [item, w] of items) {
      r -= w
      if (r < 0) return item
    }
    return items[items.length - 1][0]
  }

  /** Lower-case hex string of n characters. */
  hex(n: number): string {
    let out = ''
    while (out.length < n) out += this.uint32().toString(16).padStart(8, '0')
    return out.slice(0, n)
  }

  /** Lower-case base-36 string of n characters. */
  alnum(n: number): string {
    let out = ''
    while (out.length < n) {
      const x = this.uint32()
      out += B36_3[x % 46656] + B36_3[Math.floor(x / 46656) % 46656]
    }
    return out.length === n ? out : out.slice(0, n)
  }
}

const B36_3: string[] = Array.from({ length: 46656 }, (_, i) => i.toString(36).padStart(3, '0'))

/**
 * Unique cuid-like ids (25 lower-case characters starting with "c"): a monotonically increasing counter
 * keeps them unique and makes primary-key inserts append to the B-tree; the tail is random-looking.
 */
export class IdFactory {
  private counter = 0
  constructor(private readonly rng: Rng) {}

  next(): string {
    const n = ++this.counter
    const hi = Math.floor(n / 46656)
    const head = hi < 46656 ? '0000' + B36_3[hi] : n.toString(36).padStart(10, '0').slice(0, 7)
    return 'c' + head + B36_3[n % 46656] + this.rng.alnum(14)
  }

  get issued(): number {
    return this.counter
  }
}
