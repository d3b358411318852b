// Integration tests run against the real database named by DATABASE_URL (a SQLite file or a
// PostgreSQL server started by scripts/test.sh): reset it and apply the committed migrations.
import { reset } from '../../scripts/db.mjs'

export default async function setup() {
  if (!process.env.DATABASE_URL) throw new Error('Integration tests need DATABASE_URL (scripts/test.sh sets it).')
  await reset({ quiet: true })
}
