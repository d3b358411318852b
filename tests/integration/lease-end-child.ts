// Child process for leases.test.ts: ends one lease, reports each step on stdout and, after the sessions are terminated,
// waits (so the test can SIGKILL it between terminating the sessions and dropping the role).
import { systemContext } from '@/lib/auth/org-context'
import { db } from '@/lib/db'
import { endLease } from '@/lib/leases/mutations'

const [orgId, leaseId] = process.argv.slice(2)
const org = await db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { id: true, slug: true, name: true } })
await endLease(systemContext(org, { type: 'end_lease', id: null }), leaseId, {
  onStep: async (step) => {
    process.stdout.write(`${step}\n`)
    if (step === 'terminated') await new Promise(() => {})
  },
})
process.stdout.write('finished\n')
process.exit(0)
