import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db'
import { defineJob, defineScheduler, PermanentJobError, recordId, schedulerContext } from '@/lib/jobs/define'
import { enqueueJob } from '@/lib/jobs/queue'
import { endLease, revokeLeaseOfInactiveIdentity } from '@/lib/leases/mutations'
import { LEASE_END_ATTEMPTS } from '@/lib/leases/schemas'

/**
 * Ends one lease (expired or revoked): sessions terminated, what the role owns reassigned and dropped, the role dropped,
 * the lease moved forward once with its audit row. A failure is retried with the worker's backoff; after
 * LEASE_END_ATTEMPTS failures the lease is stuck and the job fails (both visible), until an admin retries (a new
 * generation, so a new job) or forgets it.
 */
export const endLeaseJob = defineJob({
  type: 'end_lease',
  payload: z.object({ leaseId: recordId, generation: z.number().int().min(0).default(0) }),
  key: (p, { orgId }) => `end_lease:${orgId}:${p.leaseId}:${p.generation}`,
  maxAttempts: LEASE_END_ATTEMPTS + 1,
  run: async ({ ctx, payload }) => {
    const r = await endLease(ctx, payload.leaseId)
    if (r.outcome === 'stuck') throw new PermanentJobError(`The lease is stuck after ${LEASE_END_ATTEMPTS} attempts: ${r.error}`)
    if (r.outcome === 'failed') throw new Error(r.error)
    return { outcome: r.outcome }
  },
})

/**
 * Every minute: an end_lease job for each lease past its end (the key makes a second pass a no-op); and a lease whose
 * identity is no longer active (disabled, quarantined, deleted — by a remediation, a sync, the API or a person) is
 * revoked at once, audited as this scheduler: an identity that may not act keeps no database role until its lease runs out.
 */
export const leaseExpiryScheduler = defineScheduler({
  name: 'lease-expiry',
  run: async (now) => {
    const orphaned = await db.lease.findMany({
      where: { status: 'active', identity: { status: { not: 'active' } } },
      select: { id: true, orgId: true, org: { select: { id: true, slug: true, name: true } } },
      take: 1000,
    })
    for (const l of orphaned) await revokeLeaseOfInactiveIdentity(schedulerContext(leaseExpiryScheduler, l.org), l.id)
    const due = await db.lease.findMany({
      where: { status: 'active', expiresAt: { lte: now } },
      select: { id: true, orgId: true, endGeneration: true },
      orderBy: { expiresAt: 'asc' },
      take: 1000,
    })
    for (const l of due)
      await db.$transaction((tx) => enqueueJob(tx, endLeaseJob, { leaseId: l.id, generation: l.endGeneration }, { orgId: l.orgId, runAt: now }))
  },
})
