import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db'
import { insertRows, newId, queryIn, type Columns } from '@/lib/sql/bulk'
import { prismaSql } from '@/lib/sql/prisma'
import { num, sql } from '@/lib/sql/sql'
import { addIdentity, createOrg, engine } from './fixtures'

// The builder's statements through the app's Prisma connection: what lib/sql writes, Prisma reads back the same.
/** A notification's leading columns, as insertRows takes them. */
const NOTICE: Columns = [
  ['id', 'text'],
  ['orgId', 'text'],
  ['userId', 'text'],
  ['kind', 'text'],
  ['title', 'text'],
]

type Insert = (table: string, columns: Columns, rows: unknown[][]) => Promise<unknown>
// Outside a transaction the rows go as one JSON parameter a statement through Prisma; inside one, on SQLite, as bound
// parameters on the transaction's connection (lib/sql/sqlite-insert.ts); on PostgreSQL through Prisma both times.
const WAYS: [string, Insert][] = [
  ['outside a transaction', (table, columns, rows) => insertRows(prismaSql(), table, columns, rows)],
  ['inside a transaction', (table, columns, rows) => db.$transaction((tx) => insertRows(prismaSql(tx), table, columns, rows))],
]

describe(`lib/sql through Prisma (${engine})`, () => {
  it('binds values, dates and booleans so that Prisma reads them back unchanged', async () => {
    const { org, source } = await createOrg('Sql values')
    const ident = await addIdentity(org.id, source.id, { name: 'sql-values' })
    const at = new Date('2025-02-03T04:05:06.789Z')
    const changed = await prismaSql().execute(
      sql`UPDATE "Identity" SET "lastUsedAt" = ${at}, "privileged" = ${true}, "description" = ${"it's a ? and a $1"} WHERE "orgId" = ${org.id} AND "id" = ${ident.id}`,
    )
    expect(changed).toBe(1)
    const row = await db.identity.findUniqueOrThrow({ where: { id: ident.id }, select: { lastUsedAt: true, privileged: true, description: true } })
    expect(row).toEqual({ lastUsedAt: at, privileged: true, description: "it's a ? and a $1" })
    const [hit] = await prismaSql().query<{ n: unknown }>(
      sql`SELECT COUNT(*) AS n FROM "Identity" WHERE "id" = ${ident.id} AND "lastUsedAt" = ${at} AND "privileged" = ${true}`,
    )
    expect(num(hit.n)).toBe(1)
  })

  it.each(WAYS)('inserts rows (%s) and reads them by id list', async (_, insert) => {
    const { org, people } = await createOrg('Sql bulk')
    const at = new Date('2025-06-07T08:09:10.111Z')
    const rows = Array.from({ length: 6_001 }, (_, i) => [newId(), org.id, people.member.id, 'sql.test', `Notice ${i}`, i % 2 ? at : null, at])
    await insert('Notification', [...NOTICE, ['readAt', 'date'], ['createdAt', 'date']], rows)
    expect(await db.notification.count({ where: { orgId: org.id, kind: 'sql.test', readAt: at, createdAt: at } })).toBe(3_000)
    const ids = rows.map((r) => r[0] as string)
    const back = await queryIn<{ id: string }>(prismaSql(), ids, (isIn) => sql`SELECT "id" FROM "Notification" WHERE "orgId" = ${org.id} AND "id" ${isIn}`)
    expect(back.map((r) => r.id).sort()).toEqual([...ids].sort())
  })

  it.each(WAYS)('keeps text exactly as given (%s), whatever it holds, including a long value before the other columns', async (_, insert) => {
    const { org, people } = await createOrg('Sql text')
    // Quotes, backslashes, escapes that look like JSON, control characters, non-BMP characters, a long JSON document
    // (a review item's snapshot sits among other columns), an empty string and a null.
    const texts = [
      'plain',
      'say "hi" \\ back\\slash \\u0041 not an escape',
      'line\nbreak\ttab\r\u0001',
      'emoji 🔑 ünïcödé 漢字',
      JSON.stringify({ snapshot: 'x'.repeat(4_000), grants: [{ r: 'arn:aws:s3:::b', e: 's3:*' }] }),
      '',
      '  padded  ',
      '1e21',
      'true',
      'null',
    ]
    const rows = texts.map((t, i) => [newId(), org.id, people.member.id, 'sql.text', t, i % 2 ? null : `link ${t}`])
    await insert('Notification', [...NOTICE, ['link', 'text']], rows)
    const back = await db.notification.findMany({ where: { orgId: org.id, kind: 'sql.text' }, select: { id: true, title: true, link: true } })
    const byId = new Map(back.map((r) => [r.id, r]))
    for (const [id, , , , title, link] of rows) expect(byId.get(id as string)).toEqual({ id, title, link })
  })

  it('inside a transaction on SQLite writes on its connection directly, and rolls back with it; a date column takes a Date, epoch milliseconds or ISO text', async () => {
    const { org, people } = await createOrg('Sql direct')
    expect(prismaSql().sqliteWriter?.() ?? null).toBeNull()
    const at = new Date('2025-06-07T08:09:10.111Z')
    const rows = [
      [newId(), org.id, people.member.id, 'sql.direct', 'a Date', at],
      [newId(), org.id, people.member.id, 'sql.direct', 'epoch ms', at.getTime()],
      [newId(), org.id, people.member.id, 'sql.direct', 'ISO text', at.toISOString()],
    ]
    const cols: Columns = [...NOTICE, ['createdAt', 'date']]
    await expect(
      db.$transaction(async (tx) => {
        expect(prismaSql(tx).sqliteWriter?.() ? 'direct' : 'prisma').toBe(engine === 'sqlite' ? 'direct' : 'prisma')
        await insertRows(prismaSql(tx), 'Notification', cols, rows)
        expect(await tx.notification.count({ where: { orgId: org.id, kind: 'sql.direct' } })).toBe(3)
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect(await db.notification.count({ where: { orgId: org.id, kind: 'sql.direct' } })).toBe(0)
    await db.$transaction((tx) => insertRows(prismaSql(tx), 'Notification', cols, rows))
    const back = await db.notification.findMany({ where: { orgId: org.id, kind: 'sql.direct' }, select: { title: true, createdAt: true } })
    expect(back.map((r) => [r.title, r.createdAt.toISOString()]).sort()).toEqual(rows.map((r) => [r[4], at.toISOString()]).sort())
  })

  it('joins the caller’s transaction: its statements roll back with it', async () => {
    const { org } = await createOrg('Sql tx')
    const rename = (name: string) => sql`UPDATE "Organization" SET "name" = ${name} WHERE "id" = ${org.id}`
    await expect(
      db.$transaction(async (tx) => {
        await prismaSql(tx).transaction((s) => s.execute(rename('Renamed in tx')))
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect((await db.organization.findUniqueOrThrow({ where: { id: org.id } })).name).toBe('Sql tx')
    await prismaSql().transaction((s) => s.execute(rename('Renamed')))
    expect((await db.organization.findUniqueOrThrow({ where: { id: org.id } })).name).toBe('Renamed')
  })

  it('sql.isIn selects what IN selects, and on PostgreSQL is an index condition even when the statistics have not seen the rows', async () => {
    const { org, source } = await createOrg('Sql isIn')
    const fresh = await db.source.create({ data: { orgId: org.id, name: 'fresh', type: 'api' } })
    const identity = (sourceId: string, k: number) => ({
      orgId: org.id,
      sourceId,
      externalId: `x${k}`,
      name: `isin-${k}`,
      searchText: `isin-${k}`,
      kind: 'bot',
      createdAt: new Date(),
    })
    await db.identity.createMany({ data: Array.from({ length: 200 }, (_, k) => identity(source.id, k)) })
    // Statistics taken before the fresh source has any identity: they say it has none (a sync's first pages).
    if (engine === 'postgresql') await prismaSql().execute(sql`ANALYZE "Identity"`)
    await db.identity.createMany({ data: Array.from({ length: 3_000 }, (_, k) => identity(fresh.id, k)) })
    const wanted = Array.from({ length: 2_000 }, (_, k) => `x${k * 2}`) // x0 … x3998: 1,500 of them exist
    const lookup = (predicate: ReturnType<typeof sql>) => sql`SELECT "externalId" FROM "Identity" WHERE "sourceId" = ${fresh.id} AND "externalId" ${predicate}`
    const isIn = await prismaSql().query<{ externalId: string }>(lookup(sql`${sql.isIn(wanted)}`))
    const sorted = (rows: { externalId: string }[]) => rows.map((r) => r.externalId).sort()
    expect(sorted(isIn)).toEqual(wanted.slice(0, 1_500).sort())
    expect(await prismaSql().query(lookup(sql`${sql.isIn([])}`))).toEqual([])
    // An external id holding the separator the PostgreSQL form joins on takes the JSON form: still exact.
    await db.identity.create({ data: { ...identity(fresh.id, 0), externalId: 'x\u001fy' } })
    const odd = await prismaSql().query<{ externalId: string }>(lookup(sql`${sql.isIn([...wanted, 'x\u001fy', ''])}`))
    expect(sorted(odd)).toEqual(sorted([...isIn, { externalId: 'x\u001fy' }]))
    if (engine === 'postgresql') {
      // One index scan with the list in its condition: no join for a one-row estimate to turn into 3,000 x 2,000 steps.
      const [row] = await prismaSql().query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] | string }>(
        sql`EXPLAIN (FORMAT JSON) ${lookup(sql`${sql.isIn(wanted)}`)}`,
      )
      const plan = (typeof row['QUERY PLAN'] === 'string' ? JSON.parse(row['QUERY PLAN']) : row['QUERY PLAN'])[0].Plan
      expect(plan['Node Type']).toMatch(/^(Index (Only )?Scan|Bitmap Heap Scan|Seq Scan)$/)
      expect(plan.Plans ?? []).toEqual([])
      expect(`${plan['Index Cond']} ${plan.Filter}`).toContain(`"externalId" = ANY ('{x0,x2,`)
    }
  })
})
