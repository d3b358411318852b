import 'server-only'
import { defineScheduler } from '@/lib/jobs/define'
import { unsafePruneIdempotencyKeys } from '@/lib/api/idempotency'
import { unsafePruneRateCounters } from '@/lib/api/rate-limit'

/** Expired Idempotency-Keys and the rate counters of tokens that stopped calling (two indexed deletes, every minute). */
export const apiStateCleanupScheduler = defineScheduler({
  name: 'api-state-cleanup',
  run: async (now) => {
    await unsafePruneIdempotencyKeys(now)
    await unsafePruneRateCounters(now)
  },
})
