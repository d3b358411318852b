// Config for the Prisma 6.19 CLI, used only by scripts/db.mjs to diff schemas into SQL migrations
// (the Prisma 7 CLI needs a native engine that cannot be downloaded here). Engine "js" runs the
// WebAssembly schema engine through a driver adapter.
import { defineConfig } from 'prisma6/config'

const url = process.env.DATABASE_URL ?? 'file:./.tmp/prisma6.db'

export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: process.env.PRISMA6_SCHEMA,
  async adapter() {
    if (url.startsWith('postgres')) {
      const { PrismaPg } = await import('@prisma/adapter-pg')
      return new PrismaPg({ connectionString: url })
    }
    const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3')
    return new PrismaBetterSqlite3({ url })
  },
})
