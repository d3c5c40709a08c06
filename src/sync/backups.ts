import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { HasuraCronTrigger } from '../metadata/emit.js'
import { ensureStateDir, type ServerState, type SyncedEntry } from '../metadata/server-state.js'
import { writeFilesAtomic } from '../write-files.js'

const BACKUP_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.json$/

export function backupDir(root: string): string {
  return join(root, '.nself-hooks', 'backups')
}

export interface Backup {
  format_version: 1
  endpoint: string
  saved_at: string
  resource_version: number
  metadata: Record<string, unknown>
  /** crons kept out of metadata at the time (replace_metadata leaves those alone) */
  crons_not_in_metadata: HasuraCronTrigger[]
  /**
   * what sync had applied to this endpoint at the time (null: nothing): a rollback to this
   * backup restores that record too. Absent in backups written before it was kept.
   */
  synced?: SyncedEntry | null
}

/** Saves the server's metadata before a change; the path of the backup. Written all at once, owner-only. */
export function writeBackup(
  root: string,
  endpoint: string,
  state: ServerState,
  synced: SyncedEntry | undefined,
  redact: (s: string) => string,
): string {
  ensureStateDir(root)
  const dir = backupDir(root)
  mkdirSync(dir, { recursive: true })
  const now = new Date()
  let file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}.json`)
  for (let i = 1; existsSync(file); i++) {
    file = join(dir, `${new Date(now.getTime() + i).toISOString().replace(/[:.]/g, '-')}.json`)
  }
  const backup: Backup = {
    format_version: 1,
    endpoint,
    saved_at: now.toISOString(),
    resource_version: state.resourceVersion,
    metadata: state.metadata,
    crons_not_in_metadata: state.crons.filter((c) => c.include_in_metadata === false),
    synced: synced ?? null,
  }
  // the admin secret is never written anywhere, not even if a metadata value happens to hold it
  writeFilesAtomic(new Map([[file, `${redact(JSON.stringify(backup, null, 2))}\n`]]), { mode: 0o600 })
  return file
}

/** Backups of this project, newest first. */
export function listBackups(root: string): string[] {
  const dir = backupDir(root)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((n) => BACKUP_NAME.test(n))
    .sort()
    .reverse()
    .map((n) => join(dir, n))
}

/** Keeps the newest KEEP_BACKUPS backups: each holds a whole metadata export. */
const KEEP_BACKUPS = 20

export function pruneBackups(root: string): void {
  for (const old of listBackups(root).slice(KEEP_BACKUPS)) rmSync(old, { force: true })
}

export function readBackup(file: string): Backup | undefined {
  try {
    const b = JSON.parse(readFileSync(file, 'utf8')) as Backup
    return b.format_version === 1 && typeof b.metadata === 'object' && typeof b.endpoint === 'string'
      ? b
      : undefined
  } catch {
    return undefined
  }
}
