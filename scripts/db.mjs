#!/usr/bin/env node
// Database tooling behind one command, because the Prisma 7 CLI cannot run migrations offline here
// (it downloads a native schema engine). See README "Database and migrations".
//
//   npm run db -- generate        generate the Prisma clients (SQLite and PostgreSQL) from prisma/schema.prisma
//   npm run db -- deploy          apply committed migrations to DATABASE_URL (our own runner, transactional)
//   npm run db -- create NAME     write a new migration for both engines (diff of the last snapshot -> schema)
//   npm run db -- status          list applied and pending migrations
//   npm run db -- reset           drop everything in the database, then deploy (refuses outside development)
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const prismaDir = path.join(root, 'prisma')
const sourceSchema = path.join(prismaDir, 'schema.prisma')
const snapshotSchema = path.join(prismaDir, 'migrations', 'schema.snapshot.prisma')
const outDir = path.join(prismaDir, '.generated')
const PROVIDERS = ['sqlite', 'postgresql']

export function databaseUrl() {
  const url = process.env.DATABASE_URL?.trim()
  if (!url) return `file:${path.join(root, 'data', 'custodian.db')}`
  return url
}

export function providerOf(url) {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql'
  if (url.startsWith('file:')) return 'sqlite'
  throw new Error(
    `DATABASE_URL must be a PostgreSQL URL (postgresql://user:pass@host:5432/db) or a SQLite file (file:./data/custodian.db); got "${url.slice(0, 40)}".`,
  )
}

function sqlitePath(url) {
  const p = url.slice('file:'.length)
  return path.isAbsolute(p) ? p : path.resolve(process.cwd(), p)
}

/** Provider copy of the schema. forCli6 adds the url the Prisma 6 CLI wants and drops generator options it does not know. */
function schemaFor(provider, text, { forCli6 = false } = {}) {
  let out = text.replace(/provider\s*=\s*"sqlite"/, `provider = "${provider}"`)
  if (provider === 'postgresql') {
    out = out.replace(/output\s*=\s*"\.\.\/lib\/generated\/prisma"/, 'output       = "../../lib/generated/postgres"')
  } else {
    out = out.replace(/output\s*=\s*"\.\.\/lib\/generated\/prisma"/, 'output       = "../../lib/generated/sqlite"')
  }
  if (forCli6) {
    out = out.replace(/datasource db \{([^}]*)\}/, (_m, body) => `datasource db {${body}  url = env("DATABASE_URL")\n}`)
  }
  return out
}

function existingFile() {
  return process.execPath
}

function prismaEnv(extra = {}) {
  return {
    ...process.env,
    // The CLIs only check that these exist; they never run them for the commands used here.
    PRISMA_SCHEMA_ENGINE_BINARY: existingFile(),
    PRISMA_QUERY_ENGINE_LIBRARY: existingFile(),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
    ...extra,
  }
}

function generate() {
  fs.mkdirSync(outDir, { recursive: true })
  const text = fs.readFileSync(sourceSchema, 'utf8')
  for (const provider of PROVIDERS) {
    const file = path.join(outDir, `${provider}.prisma`)
    fs.writeFileSync(file, schemaFor(provider, text))
    execFileSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate', '--schema', file], {
      cwd: root,
      env: prismaEnv(),
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  }
  console.log('db: generated Prisma clients for SQLite and PostgreSQL')
}

function migrationsDir(provider) {
  return path.join(prismaDir, 'migrations', provider)
}

function listMigrations(provider) {
  const dir = migrationsDir(provider)
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql')))
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }))
}

function diff(provider, fromText) {
  fs.mkdirSync(outDir, { recursive: true })
  const to = path.join(outDir, `cli6-${provider}-to.prisma`)
  fs.writeFileSync(to, schemaFor(provider, fs.readFileSync(sourceSchema, 'utf8'), { forCli6: true }))
  const args = [
    path.join(root, 'node_modules/prisma6/build/index.js'),
    'migrate',
    'diff',
    '--script',
    '--config',
    path.join(prismaDir, 'prisma6.config.mjs'),
    '--to-schema-datamodel',
    to,
  ]
  if (fromText) {
    const from = path.join(outDir, `cli6-${provider}-from.prisma`)
    fs.writeFileSync(from, schemaFor(provider, fromText, { forCli6: true }))
    args.push('--from-schema-datamodel', from)
  } else {
    args.push('--from-empty')
  }
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true })
  // The PostgreSQL adapter connects even for a schema-to-schema diff: use the private test cluster.
  const dummyUrl =
    provider === 'sqlite'
      ? `file:${path.join(root, '.tmp', 'prisma6-diff.db')}`
      : (process.env.PG_DIFF_URL ??
        (execFileSync('bash', [path.join(root, 'scripts/pg.sh'), 'start']),
        execFileSync('bash', [path.join(root, 'scripts/pg.sh'), 'url', 'custodian_diff'], { encoding: 'utf8' }).trim()))
  return execFileSync(process.execPath, args, { cwd: root, env: prismaEnv({ DATABASE_URL: dummyUrl }), encoding: 'utf8' })
}

function create(name) {
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('Give the migration a name of lower-case letters, digits and _: npm run db -- create add_things')
  const fromText = fs.existsSync(snapshotSchema) ? fs.readFileSync(snapshotSchema, 'utf8') : null
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)
  let wrote = false
  for (const provider of PROVIDERS) {
    let sql = diff(provider, fromText)
    if (!sql.trim() || /This is an empty migration/.test(sql)) continue
    // SQLite redefines a table by copy-and-rename, which drops its triggers: put back the text-index and count triggers.
    if (provider === 'sqlite' && /DROP TABLE "(Identity|IdentityTag)";/.test(sql)) {
      sql += `\n${fs.readFileSync(path.join(prismaDir, 'sql', 'identity-search-triggers.sqlite.sql'), 'utf8')}`
      console.log('db: the SQLite migration redefines Identity or IdentityTag; appended prisma/sql/identity-search-triggers.sqlite.sql')
    }
    if (provider === 'sqlite' && /DROP TABLE "Identity";/.test(sql)) {
      sql += `\n${fs.readFileSync(path.join(prismaDir, 'sql', 'identity-partial-indexes.sqlite.sql'), 'utf8')}`
      console.log('db: the SQLite migration redefines Identity; appended prisma/sql/identity-partial-indexes.sqlite.sql')
    }
    if (provider === 'sqlite' && /DROP TABLE "(Identity|Finding)";/.test(sql)) {
      sql += `\n${fs.readFileSync(path.join(prismaDir, 'sql', 'finding-risk-triggers.sqlite.sql'), 'utf8')}`
      console.log('db: the SQLite migration redefines Identity or Finding; appended prisma/sql/finding-risk-triggers.sqlite.sql')
    }
    const dir = path.join(migrationsDir(provider), `${stamp}_${name}`)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql)
    console.log(`db: wrote ${path.relative(root, dir)}/migration.sql`)
    wrote = true
  }
  if (wrote) fs.copyFileSync(sourceSchema, snapshotSchema)
  else console.log('db: schema unchanged since the last migration; nothing written')
}

/**
 * The migration runner's own connection: parameterless statements only (migration scripts, bookkeeping, counts), so
 * none of lib/sql's placeholder or date rules apply here; everything with values goes through lib/sql.
 */
export async function openDriver(url = databaseUrl()) {
  const provider = providerOf(url)
  if (provider === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const file = sqlitePath(url)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    return {
      provider,
      async query(sql) {
        return db.prepare(sql).all()
      },
      async exec(sql) {
        db.exec(sql)
      },
      async close() {
        db.close()
      },
    }
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  return {
    provider,
    async query(sql) {
      return (await client.query(sql)).rows
    },
    async exec(sql) {
      await client.query(sql)
    },
    async close() {
      await client.end()
    },
  }
}

function explainConnectionError(err, url) {
  const shown = url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
  return `Cannot reach the database at DATABASE_URL=${shown} (${err.code ?? err.message}). Start PostgreSQL or unset DATABASE_URL to use the embedded SQLite file.`
}

export async function deploy({ quiet = false } = {}) {
  const url = databaseUrl()
  const provider = providerOf(url)
  let db
  try {
    db = await openDriver(url)
  } catch (err) {
    throw new Error(explainConnectionError(err, url))
  }
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_custodian_migrations" ("name" TEXT PRIMARY KEY, "applied_at" TEXT NOT NULL)`)
    const applied = new Set((await db.query(`SELECT "name" FROM "_custodian_migrations"`)).map((r) => r.name))
    let count = 0
    const indexed = new Set()
    for (const m of listMigrations(provider)) {
      if (applied.has(m.name)) continue
      for (const [, table] of m.sql.matchAll(/CREATE (?:UNIQUE )?INDEX [^\n]*? ON "([^"]+)"/g)) indexed.add(table)
      const stamp = new Date().toISOString()
      // Each migration and its bookkeeping row commit together, or not at all.
      await db
        .exec(`BEGIN;\n${m.sql}\nINSERT INTO "_custodian_migrations" ("name","applied_at") VALUES ('${m.name}','${stamp}');\nCOMMIT;`)
        .catch(async (err) => {
          await db.exec('ROLLBACK').catch(() => {})
          throw new Error(`Migration ${m.name} failed on ${provider}: ${err.message}`)
        })
      count++
      if (!quiet) console.log(`db: applied ${m.name}`)
    }
    if (!quiet) console.log(`db: ${provider} is up to date (${count} applied now)`)
    await analyzeNewIndexes(db, provider, indexed, quiet)
  } finally {
    await db.close()
  }
}

/**
 * SQLite plans an index without sqlite_stat1 rows by a default guess (about ten rows per key), so a new index looks far
 * more selective than it is and steals plans: at 1,000,000 identities a (orgId, searchText) index added by a migration
 * turned "My identities" into a 20 s walk of the organization. Once a database has statistics, the tables a migration
 * indexed are analyzed again (exactly, like lib/sql/statistics.ts). PostgreSQL keeps column statistics, not per index.
 */
async function analyzeNewIndexes(db, provider, tables, quiet) {
  if (provider !== 'sqlite' || !tables.size) return
  const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'`)
  if (!n) return
  const present = new Set((await db.query(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r) => r.name))
  await db.exec('PRAGMA analysis_limit = 0')
  for (const t of [...tables].filter((x) => present.has(x)).sort()) {
    const t0 = performance.now()
    await db.exec(`ANALYZE "${t.replace(/"/g, '""')}"`)
    if (!quiet) console.log(`db: analyzed ${t} for its new indexes (${Math.round(performance.now() - t0)} ms)`)
  }
  // Connections already open (a server running during the deploy) load the new statistics only with a schema change:
  // a view created and dropped (lib/sql/statistics.ts announceStatistics says why).
  await db.exec('BEGIN; CREATE VIEW IF NOT EXISTS "_custodian_statistics_changed" AS SELECT 1 AS "x"; DROP VIEW "_custodian_statistics_changed"; COMMIT')
}

async function status() {
  const url = databaseUrl()
  const provider = providerOf(url)
  const db = await openDriver(url).catch((err) => {
    throw new Error(explainConnectionError(err, url))
  })
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_custodian_migrations" ("name" TEXT PRIMARY KEY, "applied_at" TEXT NOT NULL)`)
    const applied = new Set((await db.query(`SELECT "name" FROM "_custodian_migrations"`)).map((r) => r.name))
    for (const m of listMigrations(provider)) console.log(`${applied.has(m.name) ? 'applied' : 'PENDING'}  ${m.name}`)
  } finally {
    await db.close()
  }
}

export async function reset({ quiet = false } = {}) {
  const url = databaseUrl()
  if (process.env.NODE_ENV === 'production' && !process.argv.includes('--force')) {
    throw new Error('Refusing to reset a database with NODE_ENV=production (add --force if you mean it).')
  }
  if (providerOf(url) === 'sqlite') {
    const file = sqlitePath(url)
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
  } else {
    const db = await openDriver(url)
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;')
    await db.close()
  }
  await deploy({ quiet })
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const [cmd, arg] = process.argv.slice(2)
  try {
    if (cmd === 'generate') generate()
    else if (cmd === 'deploy') await deploy()
    else if (cmd === 'create') create(arg)
    else if (cmd === 'status') await status()
    else if (cmd === 'reset') await reset()
    else {
      console.error('usage: npm run db -- generate | deploy | create NAME | status | reset')
      process.exit(2)
    }
  } catch (err) {
    console.error(`db: ${err.message}`)
    process.exit(1)
  }
}
