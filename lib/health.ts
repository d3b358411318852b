import 'server-only'
import { db } from '@/lib/db'

/** True when the database answers a query on a table the app needs: a server that is up but not migrated is not healthy. */
export async function databaseIsHealthy(): Promise<boolean> {
  try {
    await db.organization.count()
    return true
  } catch {
    return false
  }
}
