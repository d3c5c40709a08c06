import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

/** Something that runs one statement with parameters: the database, or a transaction on it. */
export interface Queryable {
  query<T = any>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>
  /** several statements separated by `;`, no parameters */
  exec(sql: string): Promise<void>
}

/** The result of the last statement of a script, every value as Postgres' text form (run_sql). */
export interface RawResult {
  fields: string[]
  rows: (string | null)[][]
  command: string
}

/** One code path over PGlite and PostgreSQL: the engine sees only this. */
export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /** several statements without parameters; the rows of the last one */
  script<T = any>(sql: string): Promise<{ rows: T[] }>
  /** runs a script in one transaction and returns its last result in text form */
  runScript(
    sql: string,
    opts?: {
      readOnly?: boolean
      session?: Record<string, string>
      /** runs in the transaction before the script */
      before?: (tx: Queryable) => Promise<void>
      /** runs in the transaction after the script */
      inTx?: (tx: Queryable) => Promise<void>
    },
  ): Promise<RawResult>
  listen(channel: string, onNotify: () => void): Promise<void>
  close(): Promise<void>
}

/** Every type's parser is the identity: run_sql answers with Postgres' text form. */
async function textParsers(
  db: PGlite | { query: PGlite['query'] },
): Promise<Record<number, (v: string) => string>> {
  const { rows } = await db.query<{ oid: number }>('SELECT oid::int AS oid FROM pg_type')
  const identity = (v: string) => v
  return Object.fromEntries(rows.map((r) => [r.oid, identity]))
}

/**
 * An in-memory PGlite runs initdb at every start (seconds). The first start saves the fresh data
 * directory as a tarball in the temp dir; later ones load it (well under a second).
 */
function templatePath(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
    const stamp = Math.floor(statSync(entry).mtimeMs)
    return join(tmpdir(), `nself-hooks-pglite-${stamp}.tar`)
  } catch {
    return undefined
  }
}

async function newMemoryPglite(): Promise<PGlite> {
  const file = templatePath()
  if (file && existsSync(file)) {
    try {
      const db = new PGlite({ loadDataDir: new Blob([readFileSync(file)]) })
      await db.waitReady
      return db
    } catch {
      // a damaged template: fall back to initdb and write it again
    }
  }
  const db = new PGlite()
  await db.waitReady
  if (file) {
    try {
      const dump = await db.dumpDataDir('none')
      const tmp = `${file}.${process.pid}.${Date.now()}`
      writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()))
      renameSync(tmp, file)
    } catch {
      // no cache this time
    }
  }
  return db
}

export async function openPglite(dataDir?: string): Promise<Db> {
  const db = dataDir ? new PGlite(dataDir) : await newMemoryPglite()
  await db.waitReady
  await db.exec(`SET TimeZone = 'UTC'`)
  const wrap = (q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable => ({
    async query(sql, params) {
      const r = await q.query<any>(sql, params as any[])
      return { rows: r.rows }
    },
    async exec(sql) {
      await q.exec(sql)
    },
  })
  const base = wrap(db)
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx as any))),
    async script(sql) {
      const results = await db.exec(sql)
      return { rows: (results[results.length - 1]?.rows ?? []) as any[] }
    },
    async runScript(sql, opts = {}) {
      return db.transaction(async (tx) => {
        if (opts.readOnly) await tx.exec('SET TRANSACTION READ ONLY')
        if (opts.session)
          await tx.query(`SELECT set_config('hasura.user', $1, true)`, [JSON.stringify(opts.session)])
        if (opts.before) await opts.before(wrap(tx as any))
        const results = await tx.exec(sql, { rowMode: 'array', parsers: await textParsers(tx) })
        if (opts.inTx) await opts.inTx(wrap(tx as any))
        const last = results[results.length - 1]
        if (!last) return { fields: [], rows: [], command: 'EMPTY' }
        return {
          fields: last.fields.map((f) => f.name),
          rows: last.rows as unknown as (string | null)[][],
          command: last.fields.length > 0 ? 'SELECT' : 'COMMAND',
        }
      })
    },
    async listen(channel, onNotify) {
      await db.listen(channel, () => onNotify())
    },
    async close() {
      await db.close()
    },
  }
}

export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, options: '-c TimeZone=UTC' })
  pool.on('error', () => {})
  let listener: pg.Client | undefined
  let closed = false
  const channels = new Map<string, () => void>()
  // LISTEN on a dedicated connection; when it drops, reconnect (the slow poll covers the gap)
  const connectListener = async (): Promise<void> => {
    if (listener || closed) return
    const c = new pg.Client({ connectionString: url })
    listener = c
    const retry = () => {
      if (listener !== c) return
      listener = undefined
      c.end().catch(() => {})
      if (!closed) setTimeout(() => void connectListener().catch(() => {}), 1000).unref()
    }
    c.on('error', retry)
    c.on('end', retry)
    c.on('notification', (n) => channels.get(n.channel)?.())
    try {
      await c.connect()
      for (const ch of channels.keys()) await c.query(`LISTEN ${pg.escapeIdentifier(ch)}`)
    } catch (err) {
      retry()
      throw err
    }
  }
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query(sql, params) {
      const r = await c.query(sql, params as any[])
      return { rows: r.rows }
    },
    async exec(sql) {
      await c.query(sql)
    },
  })
  const base = wrap(pool)
  const transaction = async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const out = await fn(wrap(client))
      await client.query('COMMIT')
      return out
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw err
    } finally {
      client.release()
    }
  }
  return {
    kind: 'postgres',
    query: base.query,
    exec: base.exec,
    transaction,
    async script(sql) {
      const r = (await pool.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[]
      const last = Array.isArray(r) ? r[r.length - 1] : r
      return { rows: last?.rows ?? [] }
    },
    async runScript(sql, opts = {}) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        if (opts.readOnly) await client.query('SET TRANSACTION READ ONLY')
        if (opts.session)
          await client.query(`SELECT set_config('hasura.user', $1, true)`, [JSON.stringify(opts.session)])
        if (opts.before) await opts.before(wrap(client))
        // a script without parameters goes over the simple protocol: pg returns one result per statement
        const r = (await client.query({
          text: sql,
          rowMode: 'array',
          types: { getTypeParser: () => (v: string) => v },
        } as any)) as unknown as pg.QueryResult | pg.QueryResult[]
        if (opts.inTx) await opts.inTx(wrap(client))
        await client.query('COMMIT')
        const results = Array.isArray(r) ? r : [r]
        const last = results[results.length - 1]
        if (!last) return { fields: [], rows: [], command: 'EMPTY' }
        return {
          fields: (last.fields ?? []).map((f) => f.name),
          rows: (last.rows ?? []) as unknown as (string | null)[][],
          command: last.fields && last.fields.length > 0 ? 'SELECT' : 'COMMAND',
        }
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
    async listen(channel, onNotify) {
      const known = channels.has(channel)
      channels.set(channel, onNotify)
      if (!listener) await connectListener()
      else if (!known) await listener.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    },
    async close() {
      closed = true
      const l = listener
      listener = undefined
      if (l) await l.end().catch(() => {})
      await pool.end()
    },
  }
}
