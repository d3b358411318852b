import 'server-only'
import { db, type Tx } from '@/lib/db'
import { defineScheduler, type SchedulerDefinition } from '@/lib/jobs/define'
import { utcDay } from '@/lib/metrics/compute'

/** A nightly scheduler: for each organization, one transaction enqueues that organization's jobs of the UTC day (their keys make a repeat a no-op). */
export function dailyPerOrgScheduler(name: string, enqueue: (tx: Tx, org: { id: string }, day: string, now: Date) => Promise<unknown>): SchedulerDefinition {
  return defineScheduler({
    name,
    run: async (now) => {
      const day = utcDay(now.getTime())
      for (const org of await db.organization.findMany({ select: { id: true } })) await db.$transaction((tx) => enqueue(tx, org, day, now))
    },
  })
}
