import { createHash } from 'node:crypto'
import type { Db } from './db.js'

/**
 * SQL scripts run at most once per database: `dev --sql schema.sql --data-dir d` starts again on
 * the same data without re-creating what exists. A script is known by the SHA-256 of its text, so an
 * edited file runs again; the script and its record commit together (one transaction).
 */
const TABLE = 'hdb_catalog.nself_hooks_sql_runs'

export async function runSqlOnce(db: Db, name: string, sql: string): Promise<'ran' | 'skipped'> {
  const hash = createHash('sha256').update(sql).digest('hex')
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (sha256 text PRIMARY KEY, name text NOT NULL, ran_at timestamptz NOT NULL DEFAULT now())`,
  )
  const { rows } = await db.query(`SELECT 1 FROM ${TABLE} WHERE sha256 = $1`, [hash])
  if (rows.length > 0) return 'skipped'
  await db.runScript(sql, {
    inTx: async (tx) => {
      await tx.query(`INSERT INTO ${TABLE} (sha256, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
        hash,
        name,
      ])
    },
  })
  return 'ran'
}
