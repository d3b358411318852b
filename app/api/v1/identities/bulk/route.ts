import { apiRoute } from '@/lib/api/route'
import { bulkUpsertIdentitiesOp } from '@/lib/api/v1/identities'

// Streamed: the body is read line by line as it arrives, never whole.
export const POST = apiRoute(bulkUpsertIdentitiesOp)
