import { parse } from 'csv-parse/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { EXPORT_COLUMNS, exportIdentitiesCsv } from '@/lib/inventory/export'
import { listIdentities } from '@/lib/inventory/queries'
import { identityListSchema } from '@/lib/inventory/schemas'
import { parseInventoryFilter } from '@/lib/inventory/view-params'
import { addIdentity, createOrg, engine } from './fixtures'

async function readAll(stream: ReadableStream<Uint8Array>) {
  return new Response(stream).text()
}

describe(`inventory CSV export (${engine})`, () => {
  let a: Awaited<ReturnType<typeof createOrg>>
  let b: Awaited<ReturnType<typeof createOrg>>
  beforeAll(async () => {
    a = await createOrg('Alpha')
    b = await createOrg('Beta')
    // 25 bots and api keys with the same name prefix (keyset paging must not skip or repeat equal names), plus others.
    for (let i = 0; i < 25; i++)
      await addIdentity(a.org.id, a.source.id, {
        name: `svc-${String(i % 7).padStart(2, '0')}`,
        kind: i % 2 ? 'bot' : 'api_key',
        ownerId: i === 3 ? a.people.member.id : null,
      })
    await addIdentity(a.org.id, a.source.id, { name: '=HYPERLINK("http://evil.example","open")', kind: 'bot' })
    await addIdentity(a.org.id, a.source.id, { name: '@cmd', kind: 'api_key', environment: 'staging' })
    await addIdentity(a.org.id, a.source.id, { name: 'ci-deploy', kind: 'ci_cd' })
    await addIdentity(a.org.id, a.source.id, { name: 'gone-bot', kind: 'bot', status: 'deleted' })
    await addIdentity(b.org.id, b.source.id, { name: 'svc-00', kind: 'bot' })
  })

  it('streams exactly the filtered inventory in pages, with a header, neutralised formulas and an audit row', async () => {
    const ctx = a.ctx('member')
    const filter = parseInventoryFilter(new URLSearchParams('kind=api_key&kind=bot'))
    const out = await exportIdentitiesCsv(ctx, filter, { pageSize: 4, now: new Date('2026-03-04T10:00:00Z') })
    expect(out.filename).toBe(`custodian-${a.org.slug}-identities-2026-03-04.csv`)
    const text = await readAll(out.stream)
    const records = parse(text) as string[][]
    expect(records[0]).toEqual([...EXPORT_COLUMNS])
    const rows = records.slice(1)
    // the page's own rows in name order: same set, same order (the database's collation decides both)
    const expected = await listIdentities(ctx, identityListSchema.parse({ kind: 'api_key,bot', size: '100', sort: 'name', dir: 'asc' }))
    expect(rows.map((r) => r[0])).toEqual(expected.rows.map((r) => r.id))
    expect(rows).toHaveLength(27)
    expect(out.rows).toBe(27)
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length)
    // never another organization's row or a deleted one
    const names = rows.map((r) => r[1])
    expect(names).not.toContain('gone-bot')
    const ids = new Set(rows.map((r) => r[0]))
    for (const foreign of await db.identity.findMany({ where: { orgId: b.org.id }, select: { id: true } })) expect(ids.has(foreign.id)).toBe(false)
    // formula cells are text
    expect(names).toContain(`'=HYPERLINK("http://evil.example","open")`)
    expect(names).toContain(`'@cmd`)
    expect(names.some((n) => /^[=+\-@]/.test(n))).toBe(false)
    const owned = rows.find((r) => r[8] === a.people.member.email)
    expect(owned?.[7]).toBe(a.people.member.name)

    const [audit] = await db.auditEvent.findMany({ where: { orgId: a.org.id, action: 'identity.export' } })
    expect(audit).toMatchObject({ actorId: a.people.member.id, outcome: 'success' })
    expect(JSON.parse(audit.details)).toEqual({ format: 'csv', filter: { kind: 'api_key,bot' }, rows: 27 })
  })

  it('exports an empty filter result as the header alone', async () => {
    const out = await exportIdentitiesCsv(a.ctx('auditor'), parseInventoryFilter({ q: 'nothing-matches' }))
    expect(await readAll(out.stream)).toBe(`${EXPORT_COLUMNS.join(',')}\n`)
    expect(out.rows).toBe(0)
  })
})
