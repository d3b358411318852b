import 'server-only'
import { db } from '@/lib/db'

const DEMO_EMAILS = ['ada@acme.example', 'grace@acme.example', 'mo@acme.example', 'audrey@acme.example', 'gus@globex.example']

/** Unscoped on purpose: the sign-in page (demo mode only) lists the seeded demo people of every organization before anyone signs in. */
export async function unsafeListDemoPeople() {
  const memberships = await db.membership.findMany({
    where: { status: 'active', user: { active: true, demo: true, email: { in: DEMO_EMAILS } } },
    select: { role: true, org: { select: { name: true, slug: true } }, user: { select: { email: true, name: true } } },
  })
  return memberships.sort((a, b) => DEMO_EMAILS.indexOf(a.user.email) - DEMO_EMAILS.indexOf(b.user.email))
}
