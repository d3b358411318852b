// What the command-line benchmarks share: their arguments, timing and number formatting.

export const args = process.argv.slice(2)
export const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('Set DATABASE_URL to a seeded database')
  return url
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/** fn's result and how long it took, in milliseconds. */
export const time = async <T>(fn: () => Promise<T>) => {
  const t = performance.now()
  const r = await fn()
  return [r, performance.now() - t] as const
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
