// Token buckets per (identity, route), in this process's memory: each gateway process enforces its own buckets, so N
// processes behind a load balancer allow up to N times a route's rate (documented in the README).
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  /** Takes one token; returns 0 when allowed, else the seconds to wait before the next token (for Retry-After). */
  take(key: string, ratePerSecond: number, burst: number, now = performance.now()): number {
    const rate = Math.max(ratePerSecond, 0.001)
    const cap = Math.max(burst, 1)
    let b = this.buckets.get(key)
    if (!b) {
      b = { tokens: cap, at: now }
      this.buckets.set(key, b)
    } else {
      b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * rate)
      b.at = now
    }
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate))
  }

  /** Forgets buckets full again (idle for longer than it takes to refill): keeps the map bounded by active callers. */
  sweep(now = performance.now()): void {
    for (const [k, b] of this.buckets) if (now - b.at > 60_000) this.buckets.delete(k)
  }
}
