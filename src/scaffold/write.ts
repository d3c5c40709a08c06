import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { GENERATED_MARK, type RenderedFile } from './render.js'

export type FileAction = 'created' | 'updated' | 'unchanged' | 'kept' | 'overwritten'

export interface FileResult {
  /** service-relative */
  path: string
  kind: RenderedFile['kind']
  action: FileAction
  /** service-relative path of the backup written before an overwrite */
  backup?: string
  /** why a file was kept */
  note?: string
}

export interface WriteOptions {
  /** rewrite user-owned files (and generated paths that lost their mark), keeping a backup */
  force: boolean
  dryRun: boolean
  /** for backup names */
  now?: Date
}

/** Temp file in the same folder, then rename: a crash never leaves a half-written file. */
export function writeAtomic(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    writeFileSync(tmp, content)
    renameSync(tmp, file)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}

function backupName(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  const plain = `${file}.bak`
  if (!existsSync(plain)) return plain
  return `${file}.${stamp}.bak`
}

/**
 * The write policy. Generated files are rewritten when their text changes. User files are written
 * once; an existing one is kept unless --force, which first copies it to `<file>.bak` (or a
 * timestamped name when that exists). A generated path whose file lacks the generated mark was
 * taken over by the user: it is treated like a user file.
 */
export function applyFiles(dir: string, files: Map<string, RenderedFile>, opts: WriteOptions): FileResult[] {
  const results: FileResult[] = []
  for (const [path, file] of files) {
    const abs = join(dir, path)
    const exists = existsSync(abs)
    const current = exists ? readFileSync(abs, 'utf8') : undefined
    if (current === undefined) {
      if (!opts.dryRun) writeAtomic(abs, file.content)
      results.push({ path, kind: file.kind, action: 'created' })
      continue
    }
    if (current === file.content) {
      results.push({ path, kind: file.kind, action: 'unchanged' })
      continue
    }
    const ownedByUser = file.kind === 'user' || !current.split('\n', 1)[0]!.includes(GENERATED_MARK)
    if (!ownedByUser) {
      if (!opts.dryRun) writeAtomic(abs, file.content)
      results.push({ path, kind: file.kind, action: 'updated' })
      continue
    }
    if (!opts.force) {
      results.push({
        path,
        kind: file.kind,
        action: 'kept',
        note:
          file.kind === 'user'
            ? 'yours; --force rewrites it with a backup'
            : 'lost its generated mark; --force rewrites it',
      })
      continue
    }
    const backup = backupName(abs, opts.now ?? new Date())
    if (!opts.dryRun) {
      writeAtomic(backup, current)
      writeAtomic(abs, file.content)
    }
    results.push({ path, kind: file.kind, action: 'overwritten', backup: backup.slice(dir.length + 1) })
  }
  return results
}
