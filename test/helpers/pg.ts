import { randomBytes } from 'node:crypto'
import pg from 'pg'

const PG_BASE_URL = process.env.NH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Why Postgres-backed tests cannot run here, or undefined when they can. Fails (not skips) under CI. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (err) {
    const reason = `PostgreSQL not reachable at ${PG_BASE_URL} (${(err as Error).message}); set NH_TEST_DATABASE_URL`
    if (process.env.CI) throw new Error(`${reason}: CI must run the Postgres-backed tests`)
    return reason
  } finally {
    await client.end().catch(() => {})
  }
}

/** A fresh, empty database for one test file; drop() removes it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `nh_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_BASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(PG_BASE_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_BASE_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}

/**
 * A fresh database with PostGIS created in it, or why there is none (PostgreSQL unreachable, or the
 * postgis extension not installed: Debian's postgresql-15-postgis-3). Under CI a missing PostGIS
 * fails the run instead: .ci/run installs it.
 */
export async function postgisDatabase(): Promise<
  { url: string; drop: () => Promise<void> } | { skip: string }
> {
  const down = await postgresUnavailable()
  if (down) return { skip: down }
  const db = await freshDatabase()
  const client = new pg.Client({ connectionString: db.url })
  try {
    await client.connect()
    await client.query('CREATE EXTENSION postgis')
    return db
  } catch (err) {
    await client.end().catch(() => {})
    await db.drop()
    const reason = `PostGIS is not installed in the PostgreSQL at ${PG_BASE_URL} (${(err as Error).message}); install postgresql-15-postgis-3`
    if (process.env.CI) throw new Error(`${reason}: CI must run the PostGIS tests`)
    return { skip: reason }
  } finally {
    await client.end().catch(() => {})
  }
}
