import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { UserError } from './errors.js'

/** Temporary files are `<target>.<8 hex>.nself-hooks.tmp`, beside their target. */
const TEMP = /\.[0-9a-f]{8}\.nself-hooks\.tmp$/

/** One step of a write: rename new content into place, or (null) delete the file. */
export type WriteStep = readonly [path: string, content: string | null]

/**
 * Writes every file or none: all contents go to temporary files beside their targets first,
 * and only when all of them are on disk are they renamed into place (rename is atomic per file).
 * A Map renames in its order and deletes (null content) after every rename; a list of steps runs
 * exactly in its order (a path may appear more than once), so a caller can order the renames so
 * that a process killed between any two of them leaves files the next run reads. `mode`: the new
 * files' permissions (e.g. 0o600 for a file only its owner may read).
 */
export function writeFilesAtomic(
  files: Map<string, string | null> | readonly WriteStep[],
  opts: { mode?: number } = {},
): void {
  const steps: WriteStep[] =
    files instanceof Map
      ? [...[...files].filter(([, c]) => c !== null), ...[...files].filter(([, c]) => c === null)]
      : [...files]
  const temps: (string | undefined)[] = []
  try {
    for (const [path, content] of steps) {
      if (content === null) {
        temps.push(undefined)
        continue
      }
      mkdirSync(dirname(path), { recursive: true })
      const tmp = `${path}.${randomBytes(4).toString('hex')}.nself-hooks.tmp`
      temps.push(tmp)
      writeFileSync(tmp, content, opts.mode === undefined ? undefined : { mode: opts.mode })
    }
  } catch (err) {
    for (const tmp of temps) if (tmp) rmSync(tmp, { force: true })
    throw fsError(err, true)
  }
  try {
    steps.forEach(([path], i) => {
      const tmp = temps[i]
      if (tmp) renameSync(tmp, path)
      else rmSync(path, { force: true })
    })
  } catch (err) {
    for (const tmp of temps) if (tmp) rmSync(tmp, { force: true })
    throw fsError(err, false)
  }
}

/**
 * Deletes the temporary files a killed earlier run left behind: in each directory tree given
 * (`recursive`), or only in the directory itself.
 */
export function removeStaleTemps(dirs: { dir: string; recursive: boolean }[]): void {
  const walk = (dir: string, recursive: boolean) => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code === 'ENOENT' ||
        (err as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        return
      throw fsError(err, true)
    }
    for (const e of entries) {
      const path = join(dir, e.name)
      if (e.isDirectory()) {
        if (recursive) walk(path, true)
      } else if (TEMP.test(e.name)) {
        try {
          rmSync(path, { force: true })
        } catch (err) {
          throw fsError(err, true)
        }
      }
    }
  }
  for (const { dir, recursive } of dirs) walk(dir, recursive)
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a part of the path is a file, not a directory',
  EISDIR: 'a directory is in the way of a file',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
}

/** A file system refusal is the user's to fix: which directory, and why. Anything else stays a bug. */
function fsError(err: unknown, nothingWritten: boolean): unknown {
  const e = err as NodeJS.ErrnoException
  const reason = e?.code ? REASONS[e.code] : undefined
  if (!reason) return err
  const where = e.path ? (TEMP.test(e.path) ? dirname(e.path) : e.path) : 'a directory'
  return new UserError(`cannot write ${where}: ${reason} (${e.code})`, {
    hint: nothingWritten
      ? 'make the directory writable (or choose another one in the config) and run again; nothing was changed'
      : 'make the directory writable and run again: the files already replaced are complete, the next run finishes the rest',
    cause: err,
  })
}
