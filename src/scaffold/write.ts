import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { UserError } from '../errors.js'
import { GENERATED_MARK, type RenderedFile } from './render.js'

type FileAction = 'created' | 'updated' | 'unchanged' | 'kept' | 'overwritten'

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

/** One file to write: absolute path and text. */
export interface PendingWrite {
  file: string
  content: string
}

/**
 * Writes every file or none: each goes to a temp file beside its target first; only when all of
 * them are on disk are they renamed into place. A failure while staging removes the temp files and
 * the folders it created, so the tree is as it was.
 */
export function writeAll(writes: PendingWrite[]): void {
  const staged: { tmp: string; file: string }[] = []
  const madeDirs: string[] = []
  try {
    for (const w of writes) {
      const made = mkdirSync(dirname(w.file), { recursive: true })
      if (made !== undefined) madeDirs.push(made)
      const tmp = `${w.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      staged.push({ tmp, file: w.file })
      writeFileSync(tmp, w.content)
    }
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true })
    for (const d of madeDirs.reverse()) rmSync(d, { recursive: true, force: true })
    throw err
  }
  for (const s of staged) renameSync(s.tmp, s.file)
}

/** Room a file name needs beyond its own length: the temp suffix of writeAll and a timestamped backup name. */
const SUFFIX_ROOM = 40
/** Most file systems allow 255 bytes per name and 4096 per path. */
const NAME_MAX = 255 - SUFFIX_ROOM
const PATH_MAX = 4096 - SUFFIX_ROOM
const SAFE_SEGMENT = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/

/**
 * Every path scaffold would write, checked before the first byte is written: inside the service
 * folder, portable characters, within file system limits, no two differing only in case (one file
 * on macOS and Windows), no Python module shadowed by a package of the same name, and no folder or
 * file in the way on disk. All problems are reported together.
 */
function checkPaths(dir: string, paths: Iterable<string>): void {
  const problems: string[] = []
  const root = resolve(dir)
  const all = [...paths]
  const folded = new Map<string, string>()
  const dirs = new Set<string>()
  for (const p of all) {
    const parts = p.split('/')
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  for (const p of all) {
    const abs = resolve(root, p)
    const inside = relative(root, abs)
    if (isAbsolute(p) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      problems.push(`${p}: outside the service folder`)
      continue
    }
    const bad = p.split('/').find((s) => !SAFE_SEGMENT.test(s) || s === '..' || s === '.')
    if (bad !== undefined) {
      problems.push(`${p}: "${bad}" is not a portable file name (letters, digits, _ - . only)`)
      continue
    }
    const long = p.split('/').find((s) => Buffer.byteLength(s) > NAME_MAX)
    if (long !== undefined) {
      problems.push(
        `${p}: the name ${long.slice(0, 20)}... has ${long.length} characters; at most ${NAME_MAX}`,
      )
      continue
    }
    if (Buffer.byteLength(abs) > PATH_MAX) {
      problems.push(`${p}: the full path is longer than ${PATH_MAX} bytes`)
      continue
    }
    const lower = p.toLowerCase()
    const twin = folded.get(lower)
    if (twin !== undefined && twin !== p)
      problems.push(`${p} and ${twin} differ only in case: one file on macOS and Windows`)
    folded.set(lower, p)
    if (p.endsWith('.py') && dirs.has(p.slice(0, -3)))
      problems.push(`${p}: a Python module and a package folder of the same name; the folder wins on import`)
    // what is on disk must not be in the way: a file where a folder goes, or a folder where a file goes
    const segs = inside.split(sep)
    for (let i = 1; i <= segs.length; i++) {
      const at = join(root, ...segs.slice(0, i))
      if (!existsSync(at)) break
      const isDir = statSync(at).isDirectory()
      if (i < segs.length && !isDir) {
        problems.push(`${p}: ${segs.slice(0, i).join('/')} is a file, not a folder`)
        break
      }
      if (i === segs.length && isDir) problems.push(`${p}: a folder is in the way`)
    }
  }
  if (problems.length > 0) {
    throw new UserError(
      `scaffold would write ${problems.length === 1 ? 'a path' : `${problems.length} paths`} it cannot:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      {
        hint: 'rename the handlers in webhooks.config.ts (short path segments of letters, digits, _ and -) or move what is in the way; nothing was written',
      },
    )
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
 * taken over by the user: it is treated like a user file. A user path whose file still has the mark
 * was generated by an earlier version: it is updated to the user file, once. Returns what would happen and the writes
 * that make it happen; nothing is written here.
 */
export function planFiles(
  dir: string,
  files: Map<string, RenderedFile>,
  opts: WriteOptions,
): { results: FileResult[]; writes: PendingWrite[] } {
  checkPaths(dir, files.keys())
  const results: FileResult[] = []
  const writes: PendingWrite[] = []
  for (const [path, file] of files) {
    const abs = join(dir, path)
    const exists = existsSync(abs)
    const current = exists ? readFileSync(abs, 'utf8') : undefined
    if (current === undefined) {
      writes.push({ file: abs, content: file.content })
      results.push({ path, kind: file.kind, action: 'created' })
      continue
    }
    if (current === file.content) {
      results.push({ path, kind: file.kind, action: 'unchanged' })
      continue
    }
    // a file that still carries the mark was written by scaffold as a generated file, even where the
    // template now hands that path to the user (Nest's webhooks.module.ts): it is replaced once
    const ownedByUser = !current.split('\n', 1)[0]!.includes(GENERATED_MARK)
    if (!ownedByUser) {
      writes.push({ file: abs, content: file.content })
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
    writes.push({ file: backup, content: current }, { file: abs, content: file.content })
    results.push({ path, kind: file.kind, action: 'overwritten', backup: backup.slice(dir.length + 1) })
  }
  return { results, writes }
}
