import { relative } from 'node:path'

/** `1 event trigger`, `2 event triggers`; `plural(n, 'entry', 'entries')` for irregular words. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}

/** A path as the user should see it: relative to the working directory (`.` for the directory itself). */
export function relPath(cwd: string, path: string): string {
  return relative(cwd, path) || '.'
}
