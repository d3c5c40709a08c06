import type { Db, Queryable } from './db.js'
import { ApiError } from './errors.js'
import {
  type CronTriggerDef,
  emptyMetadata,
  type Metadata,
  type QualifiedTable,
  type SourceEntry,
  type TableEntry,
} from './metadata/model.js'

// The stored state: hdb_catalog.hdb_metadata read and written, and lookups in the metadata tree.

export interface StoredState {
  metadata: Metadata
  resourceVersion: number
  /** cron triggers with include_in_metadata: false: never exported, kept across replace_metadata */
  hiddenCrons: CronTriggerDef[]
}

/** Hasura prints `public` tables without their schema. */
export const showTable = (t: QualifiedTable) => (t.schema === 'public' ? t.name : `${t.schema}.${t.name}`)

/** The stored state, read inside a transaction (another engine may have written it). */
export async function readState(q: Queryable): Promise<StoredState> {
  const { rows } = await q.query<{
    metadata: Metadata | string
    resource_version: number
    nself_hidden_crons: CronTriggerDef[] | string
  }>('SELECT metadata, resource_version, nself_hidden_crons FROM hdb_catalog.hdb_metadata WHERE id = 1')
  const row = rows[0]
  if (!row) return { metadata: emptyMetadata(), resourceVersion: 1, hiddenCrons: [] }
  return {
    metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata,
    resourceVersion: row.resource_version,
    hiddenCrons:
      typeof row.nself_hidden_crons === 'string'
        ? JSON.parse(row.nself_hidden_crons)
        : row.nself_hidden_crons,
  }
}

export async function loadState(db: Db): Promise<StoredState> {
  await db.query(
    `INSERT INTO hdb_catalog.hdb_metadata (id, metadata, resource_version) VALUES (1, $1, 1) ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(emptyMetadata())],
  )
  return readState(db)
}

export async function saveState(q: Queryable, s: StoredState): Promise<void> {
  await q.query(
    'UPDATE hdb_catalog.hdb_metadata SET metadata = $1, resource_version = $2, nself_hidden_crons = $3 WHERE id = 1',
    [JSON.stringify(s.metadata), s.resourceVersion, JSON.stringify(s.hiddenCrons)],
  )
}

// ----- helpers to edit the metadata tree

export function getSource(meta: Metadata, name: string): SourceEntry {
  const s = meta.sources.find((x) => x.name === name)
  if (!s) throw new ApiError(400, 'not-exists', `source with name "${name}" does not exist`, '$.args')
  return s
}

export function findTable(source: SourceEntry, table: QualifiedTable): TableEntry | undefined {
  return source.tables.find((t) => t.table.schema === table.schema && t.table.name === table.name)
}

export function allCrons(s: StoredState): CronTriggerDef[] {
  return [...(s.metadata.cron_triggers ?? []), ...s.hiddenCrons]
}
