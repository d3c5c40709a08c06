import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Writes every file or none: all contents go to temporary files beside their targets first,
 * and only when all of them are on disk are they renamed into place (rename is atomic per file).
 * A null content deletes the file, after the writes.
 */
export function writeFilesAtomic(files: Map<string, string | null>): void {
  const temps: [string, string][] = []
  try {
    for (const [path, content] of files) {
      if (content === null) continue
      mkdirSync(dirname(path), { recursive: true })
      const tmp = `${path}.${randomBytes(4).toString('hex')}.nself-hooks.tmp`
      writeFileSync(tmp, content)
      temps.push([tmp, path])
    }
  } catch (err) {
    for (const [tmp] of temps) rmSync(tmp, { force: true })
    throw err
  }
  for (const [tmp, path] of temps) renameSync(tmp, path)
  for (const [path, content] of files) if (content === null) rmSync(path, { force: true })
}
