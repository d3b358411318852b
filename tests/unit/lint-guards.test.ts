import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The boundaries of CONTRIBUTING.md are enforced by eslint.config.mjs; these cases prove the guards fail on a violation.
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') })

async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages.map((m) => ({ ruleId: m.ruleId, line: m.line, message: m.message }))
}

const importsDb = "import { db } from '@/lib/db'\n\nexport async function count() {\n  return db.identity.count()\n}\n"
const serverAction = "'use server'\n\nexport async function doIt() {\n  return 1\n}\n"

describe('lint guards', { timeout: 60_000 }, () => {
  it('refuses the database client in a page: app code goes through lib/<domain>', async () => {
    expect(await lint('app/(app)/[orgSlug]/identities/page.tsx', importsDb)).toEqual([
      expect.objectContaining({ ruleId: 'no-restricted-imports', line: 1, message: expect.stringContaining('Only lib/** talks to the database') }),
    ])
  })

  it('refuses generated Prisma code, @prisma packages and lib/sql outside lib/, also by a relative path or a dynamic import', async () => {
    const cases: [string, string][] = [
      ['components/inventory/table.tsx', "import type { Identity } from '@/lib/generated/sqlite/client'\nexport type Row = Identity\n"],
      ['app/api/health/route.ts', "import { Prisma } from '@prisma/client'\nexport const p = Prisma\n"],
      ['app/(app)/[orgSlug]/page.tsx', "import { sql } from '@/lib/sql/sql'\nexport const q = sql\n"],
      ['components/shell/nav.tsx', "import { db } from '../../lib/db'\nexport const d = db\n"],
      ['proxy.ts', "export async function load() {\n  return import('@/lib/db')\n}\n"],
    ]
    for (const [file, code] of cases) {
      const messages = await lint(file, code)
      expect(messages, file).toHaveLength(1)
      expect(messages[0].message, file).toContain('Only lib/** talks to the database')
    }
  })

  it('lets lib/, tests and tooling import the database client', async () => {
    expect(await lint('lib/inventory/queries.ts', importsDb)).toEqual([])
    expect(await lint('tests/integration/inventory.test.ts', importsDb)).toEqual([])
    expect(await lint('app/(app)/[orgSlug]/page.tsx', "import { env } from '@/lib/db-url'\nexport const e = env\n")).toEqual([])
  })

  it("refuses 'use server' outside lib/<domain>/actions.ts, as a file or an inline directive", async () => {
    for (const file of ['app/(auth)/sign-in/actions.ts', 'components/shell/actions.ts', 'lib/members/invitations.ts', 'lib/campaigns/close/actions.ts']) {
      expect(await lint(file, serverAction), file).toEqual([
        expect.objectContaining({
          ruleId: 'no-restricted-syntax',
          line: 1,
          message: expect.stringContaining("'use server' belongs in lib/<domain>/actions.ts"),
        }),
      ])
    }
    const inline = "export async function Page() {\n  async function act() {\n    'use server'\n  }\n  return act\n}\n"
    expect(await lint('app/(app)/[orgSlug]/settings/page.tsx', inline)).toEqual([expect.objectContaining({ ruleId: 'no-restricted-syntax', line: 3 })])
    expect(await lint('lib/members/actions.ts', serverAction)).toEqual([])
  })
})
