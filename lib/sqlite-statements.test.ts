import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { describe, expect, it } from 'vitest'
import { keepPreparedStatements } from '@/lib/sqlite-statements'

function database() {
  const db = new Database(':memory:')
  db.defaultSafeIntegers(true)
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
  return db
}

describe('keepPreparedStatements', () => {
  it('prepares a text once and binds each call its own arguments', () => {
    const db = database()
    const real = db.prepare.bind(db)
    let prepared = 0
    Object.defineProperty(db, 'prepare', { value: (s: string) => (prepared++, real(s)), configurable: true, writable: true })
    keepPreparedStatements(db)
    const insert = (id: number, name: string) => db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([id, name]).run()
    insert(1, 'a')
    insert(2, 'b')
    const read = (id: number) => db.prepare('SELECT name FROM t WHERE id = ?').bind([id])
    expect(read(1).reader).toBe(true)
    expect(read(1).raw().all()).toEqual([['a']])
    expect(read(2).raw().all()).toEqual([['b']])
    expect(
      read(2)
        .columns()
        .map((c) => c.name),
    ).toEqual(['name'])
    expect(prepared).toBe(2)
  })

  it('keeps at most `max` texts, dropping the least recently used', () => {
    const db = database()
    const real = db.prepare.bind(db)
    const texts: string[] = []
    Object.defineProperty(db, 'prepare', { value: (s: string) => (texts.push(s), real(s)), configurable: true, writable: true })
    keepPreparedStatements(db, 2)
    const q = (n: number) => db.prepare(`SELECT ${n}`).bind([]).raw().all()
    q(1)
    q(2)
    q(1) // 1 is now the most recent: 3 drops 2
    q(3)
    q(1)
    q(2)
    expect(texts).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 2'])
  })

  it('a failed statement leaves no transaction open, and a kept statement survives a schema change', () => {
    const db = database()
    keepPreparedStatements(db)
    const insert = (id: number) => db.prepare('INSERT INTO t (id, name) VALUES (?, ?)').bind([id, 'x']).run()
    insert(1)
    expect(() => insert(1)).toThrow(/UNIQUE/)
    expect(db.inTransaction).toBe(false)
    db.exec('ALTER TABLE t ADD COLUMN extra TEXT')
    insert(2)
    expect(db.prepare('SELECT count(*) FROM t').bind([]).raw().all()).toEqual([[2n]])
  })

  it('Prisma’s adapter runs queries and transactions through it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stmts-'))
    const factory = new PrismaBetterSqlite3({ url: `file:${path.join(dir, 'a.db')}` })
    const adapter = await factory.connect()
    keepPreparedStatements((adapter as unknown as { client: Database.Database }).client)
    await adapter.executeScript('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)')
    const argTypes = [
      { scalarType: 'int', arity: 'scalar' },
      { scalarType: 'string', arity: 'scalar' },
    ] as const
    const tx = await adapter.startTransaction()
    for (const [id, name] of [
      [1, 'a'],
      [2, 'b'],
    ] as const)
      await tx.executeRaw({ sql: 'INSERT INTO t (id, name) VALUES (?, ?)', args: [id, name], argTypes: [...argTypes] })
    // Prisma's engine sends COMMIT itself, then releases the adapter's lock.
    await tx.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] })
    await tx.commit()
    const r = await adapter.queryRaw({ sql: 'SELECT name FROM t WHERE id > ? ORDER BY id', args: [0], argTypes: [argTypes[0]] })
    expect(r.columnNames).toEqual(['name'])
    expect(r.rows).toEqual([['a'], ['b']])
    await adapter.dispose()
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
