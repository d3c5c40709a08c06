import { UserError } from '../errors.js'

/** The line of `text` at a 1-based character position (Postgres' error position). */
function lineAt(text: string, position: number): number {
  return text.slice(0, Math.max(0, position - 1)).split('\n').length
}

/**
 * `dev --sql` failed: say where, and what to do. The file runs in one transaction, so nothing of it
 * stayed; a file that already ran unchanged is skipped, so "already exists" means an edited file (or
 * objects made another way) meets what the kept database holds.
 */
export function sqlFailure(file: string, text: string, err: unknown, kept: string | undefined): UserError {
  const e = err as { message?: string; position?: string | number }
  const message = e.message ?? String(err)
  const position = Number(e.position)
  const where = Number.isInteger(position) && position > 0 ? ` (line ${lineAt(text, position)})` : ''
  const exists = /already exists/i.test(message)
  const hint = exists
    ? kept
      ? `the database in ${kept} already has it: this file changed since it ran there (a file that ran unchanged is skipped). Make the statement idempotent (CREATE TABLE IF NOT EXISTS …, CREATE OR REPLACE …), put the change in a new --sql file, or remove ${kept} to start from an empty database`
      : 'the file creates something twice, or something an earlier --sql file created; nothing of this file was applied'
    : `fix${where ? ` line ${lineAt(text, position)} of` : ''} ${file} and start dev again; nothing of it was applied (it runs in one transaction)`
  return new UserError(`--sql ${file} failed${where}: ${message}`, { hint, cause: err })
}
