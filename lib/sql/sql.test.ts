import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { insertRows, queryIn } from './bulk'
import { sqliteSql } from './driver'
import { chunks, dbValue, num, render, sql } from './sql'

const orgId = 'org-1'
const at = new Date('2026-03-04T05:06:07.089Z')

describe('sql tag', () => {
  it('binds every value: ? on SQLite, numbered $n on PostgreSQL', () => {
    const q = sql`SELECT "id" FROM "Identity" WHERE "orgId" = ${orgId} AND "riskScore" >= ${70} LIMIT ${50}`
    expect(render(q, 'sqlite')).toEqual({ text: 'SELECT "id" FROM "Identity" WHERE "orgId" = ? AND "riskScore" >= ? LIMIT ?', params: [orgId, 70, 50] })
    expect(render(q, 'postgresql')).toEqual({ text: 'SELECT "id" FROM "Identity" WHERE "orgId" = $1 AND "riskScore" >= $2 LIMIT $3', params: [orgId, 70, 50] })
  })

  it('keeps input out of the text, quotes and question marks included', () => {
    const evil = `x' OR 1=1; DROP TABLE "User"; -- ?`
    const { text, params } = render(sql`SELECT 1 FROM "User" WHERE "name" = ${evil} AND "email" = ${'?'}`, 'postgresql')
    expect(text).toBe('SELECT 1 FROM "User" WHERE "name" = $1 AND "email" = $2')
    expect(params).toEqual([evil, '?'])
  })

  it('nests fragments and numbers their parameters in order of appearance', () => {
    const scope = sql`"orgId" = ${orgId} AND "status" <> ${'deleted'}`
    const inner = sql`SELECT "identityId" FROM "Finding" WHERE ${scope} AND "rule" = ${'unowned'}`
    const q = sql`UPDATE "Identity" SET "riskScore" = ${0} WHERE "id" IN (${inner}) AND ${scope}`
    expect(render(q, 'postgresql')).toEqual({
      text: 'UPDATE "Identity" SET "riskScore" = $1 WHERE "id" IN (SELECT "identityId" FROM "Finding" WHERE "orgId" = $2 AND "status" <> $3 AND "rule" = $4) AND "orgId" = $5 AND "status" <> $6',
      params: [0, orgId, 'deleted', 'unowned', orgId, 'deleted'],
    })
    expect(render(q, 'sqlite').text).toBe(
      'UPDATE "Identity" SET "riskScore" = ? WHERE "id" IN (SELECT "identityId" FROM "Finding" WHERE "orgId" = ? AND "status" <> ? AND "rule" = ?) AND "orgId" = ? AND "status" <> ?',
    )
  })

  it('joins values as parameters and fragments as SQL', () => {
    const q = sql`SELECT 1 WHERE "slug" IN (${sql.join(['acme', 'globex'])}) AND ${sql.join([sql`a = ${1}`, sql`b = ${2}`], ' AND ')}`
    expect(render(q, 'postgresql')).toEqual({ text: 'SELECT 1 WHERE "slug" IN ($1, $2) AND a = $3 AND b = $4', params: ['acme', 'globex', 1, 2] })
    expect(render(sql`x${sql.join([])}y`, 'sqlite').text).toBe('xy')
  })

  it('converts dates the way Prisma stores them: epoch ms on SQLite, UTC timestamp(3) on PostgreSQL', () => {
    const q = sql`UPDATE "Job" SET "runAt" = ${at}, "leaseUntil" = ${sql.date(at.getTime() + 1000)}`
    expect(render(q, 'sqlite')).toEqual({ text: 'UPDATE "Job" SET "runAt" = ?, "leaseUntil" = ?', params: [at.getTime(), at.getTime() + 1000] })
    expect(render(q, 'postgresql')).toEqual({
      text: 'UPDATE "Job" SET "runAt" = CAST($1 AS TIMESTAMP(3)), "leaseUntil" = CAST($2 AS TIMESTAMP(3))',
      params: ['2026-03-04T05:06:07.089Z', '2026-03-04T05:06:08.089Z'],
    })
    expect(() => render(sql`${new Date('nope')}`, 'sqlite')).toThrow(/invalid date/)
  })

  it('binds booleans as 1/0 on SQLite and as booleans on PostgreSQL', () => {
    expect(render(sql`${true}, ${false}, ${null}`, 'sqlite').params).toEqual([1, 0, null])
    expect(render(sql`${true}, ${false}, ${null}`, 'postgresql').params).toEqual([true, false, null])
  })

  it('sends JSON as one text parameter', () => {
    const q = sql`INSERT INTO "MetricSnapshot" ("metrics") VALUES (${sql.json({ total: 3, byKind: { bot: 1 } })})`
    expect(render(q, 'postgresql')).toEqual({ text: 'INSERT INTO "MetricSnapshot" ("metrics") VALUES ($1)', params: ['{"total":3,"byKind":{"bot":1}}'] })
  })

  it('passes an id list as one parameter: JSON unpacked by SQLite, a constant array on PostgreSQL', () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => `id${i}`)
    const q = (list: string[]) => sql`DELETE FROM "Grant" WHERE "orgId" = ${orgId} AND "identityId" ${sql.isIn(list)}`
    const lite = render(q(ids), 'sqlite')
    expect(lite.text).toBe('DELETE FROM "Grant" WHERE "orgId" = ? AND "identityId" IN (SELECT value FROM json_each(?))')
    expect(lite.params).toEqual([orgId, JSON.stringify(ids)])
    const pg = render(q(ids), 'postgresql')
    expect(pg.text).toBe('DELETE FROM "Grant" WHERE "orgId" = $1 AND "identityId" = ANY (string_to_array($2, chr(31)))')
    expect(pg.params).toEqual([orgId, ids.join('\u001f')])
    // An id holding the separator (or an empty one) cannot be joined: the JSON form, exact for any text.
    const odd = render(q(['a', 'b\u001fc']), 'postgresql')
    expect(odd.text).toBe('DELETE FROM "Grant" WHERE "orgId" = $1 AND "identityId" IN (SELECT json_array_elements_text(CAST($2 AS json)))')
    expect(odd.params).toEqual([orgId, JSON.stringify(['a', 'b\u001fc'])])
  })

  it('chooses per-engine parts when rendered', () => {
    const lock = sql.byEngine({ sqlite: sql.empty, postgresql: sql` FOR UPDATE SKIP LOCKED` })
    const q = sql`SELECT "id" FROM "Job" WHERE "runAt" <= ${at} LIMIT 1${lock}`
    expect(render(q, 'sqlite').text).toBe('SELECT "id" FROM "Job" WHERE "runAt" <= ? LIMIT 1')
    expect(render(q, 'postgresql').text).toBe('SELECT "id" FROM "Job" WHERE "runAt" <= CAST($1 AS TIMESTAMP(3)) LIMIT 1 FOR UPDATE SKIP LOCKED')
  })

  it('quotes identifiers and literals from code', () => {
    expect(render(sql`SELECT ${sql.lit("it's")} FROM ${sql.ident('we"ird')}`, 'sqlite').text).toBe(`SELECT 'it''s' FROM "we""ird"`)
  })

  it('refuses values that have no single SQL meaning', () => {
    expect(() => render(sql`SELECT ${undefined}`, 'sqlite')).toThrow(/undefined/)
    expect(() => render(sql`WHERE "id" IN ${['a', 'b']}`, 'sqlite')).toThrow(/sql.isIn, sql.join or sql.json/)
    expect(() => render(sql`WHERE "x" = ${{ a: 1 }}`, 'postgresql')).toThrow(/an object/)
  })
})

describe('values and results', () => {
  it('converts stored values per engine, including epoch ms for DateTime columns', () => {
    expect(dbValue(at, 'sqlite')).toBe(at.getTime())
    expect(dbValue(at, 'postgresql')).toBe(at.toISOString())
    expect(dbValue(at.getTime(), 'postgresql', true)).toBe(at.toISOString())
    expect(dbValue(at.getTime(), 'postgresql')).toBe(at.getTime())
    expect(dbValue(undefined, 'sqlite')).toBeNull()
  })

  it('reads counts from either engine', () => {
    expect([num(3), num(3n), num('3'), num(null)]).toEqual([3, 3, 3, 0])
  })

  it('cuts lists under a size', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(chunks([], 2)).toEqual([])
  })
})

describe('on a real SQLite database', () => {
  function memory() {
    const db = new Database(':memory:')
    db.exec(`CREATE TABLE "T" ("id" TEXT PRIMARY KEY, "n" INTEGER, "ok" BOOLEAN, "at" DATETIME, "note" TEXT)`)
    return sqliteSql(db)
  }

  it('round-trips values, dates as epoch ms and booleans as 1/0', async () => {
    const s = memory()
    await s.execute(sql`INSERT INTO "T" ("id", "n", "ok", "at", "note") VALUES (${'a'}, ${1}, ${true}, ${at}, ${"it's ?"})`)
    expect(await s.query(sql`SELECT * FROM "T" WHERE "at" = ${at} AND "ok" = ${true}`)).toEqual([{ id: 'a', n: 1, ok: 1, at: at.getTime(), note: "it's ?" }])
    await s.close()
  })

  it('inserts many rows (the loader binds them in multi-row statements) and reads them back by id list', async () => {
    const s = memory()
    const rows = Array.from({ length: 12_345 }, (_, i) => [`r${i}`, i, i % 2 === 0, at.getTime() + i, null])
    await insertRows(
      s,
      'T',
      [
        ['id', 'text'],
        ['n', 'int'],
        ['ok', 'bool'],
        ['at', 'date'],
        ['note', 'text'],
      ],
      rows,
    )
    const ids = rows.filter((_, i) => i % 3 === 0).map((r) => r[0] as string)
    const got = await queryIn<{ id: string; n: number; ok: number; at: number }>(
      s,
      ids,
      (isIn) => sql`SELECT "id", "n", "ok", "at" FROM "T" WHERE "id" ${isIn}`,
    )
    expect(got).toHaveLength(ids.length)
    expect(got.find((r) => r.id === 'r3')).toEqual({ id: 'r3', n: 3, ok: 0, at: at.getTime() + 3 })
    await s.close()
  })

  it('rolls a failed transaction back', async () => {
    const s = memory()
    await expect(
      s.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO "T" ("id") VALUES (${'x'})`)
        await tx.execute(sql`INSERT INTO "T" ("id") VALUES (${'x'})`)
      }),
    ).rejects.toThrow(/UNIQUE/)
    expect(await s.query(sql`SELECT COUNT(*) AS n FROM "T"`)).toEqual([{ n: 0 }])
    await s.close()
  })
})
