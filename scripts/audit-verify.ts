// npm run audit:verify -- --org <slug> [--json]
// Walks an organization's audit chain straight from DATABASE_URL (SQLite or PostgreSQL), without the web app: every
// event's link and hash in order, every signed checkpoint's signature and head. Exit 0 when intact, 1 when broken
// (the first event edited, deleted or reordered is named), 2 on a usage error or an unknown organization.
// Runs with the react-server condition (see package.json) so the app's server-only modules load.
import { unsafeVerifyChainOfOrg } from '@/lib/audit/verify'
import { db } from '@/lib/db'

const USAGE = 'usage: npm run audit:verify -- --org <slug> [--json]'

function parseArgs(argv: string[]) {
  let org: string | undefined
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined]
    if (flag === '--org') org = inline ?? argv[++i]
    else if (flag === '--json') json = true
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE)
      process.exit(0)
    } else {
      console.error(`audit:verify: unknown argument "${argv[i]}". ${USAGE}`)
      process.exit(2)
    }
  }
  if (!org || org.startsWith('--')) {
    console.error(`audit:verify: --org needs an organization slug. ${USAGE}`)
    process.exit(2)
  }
  return { org, json }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  const org = await db.organization.findUnique({ where: { slug: args.org }, select: { id: true, slug: true, name: true } })
  if (!org) {
    console.error(`audit:verify: no organization with the slug "${args.org}" in this database.`)
    return 2
  }
  const r = await unsafeVerifyChainOfOrg(org.id)
  if (args.json) {
    console.log(JSON.stringify({ org: org.slug, ...r }))
  } else if (r.ok) {
    console.log(
      `${org.name} (${org.slug}): audit chain intact — ${r.checked} events and ${r.checkpoints} signed checkpoints verified; head #${r.head.seq} ${r.head.hash}`,
    )
  } else {
    const b = r.break!
    console.error(`${org.name} (${org.slug}): audit chain BROKEN at position ${b.seq}${b.eventId ? ` (event ${b.eventId})` : ''}: ${b.reason}`)
    if (b.detail) console.error(`  ${b.detail}`)
    console.error(`  ${r.checked} events before it verified.`)
  }
  return r.ok ? 0 : 1
}

main()
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(`audit:verify: ${err.message}`)
    process.exit(2)
  })
