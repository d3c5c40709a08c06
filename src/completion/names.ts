import { isAbsolute, resolve } from 'node:path'
import { findConfigFile, importConfig } from '../config/load.js'
import type { Candidate } from './complete.js'
import type { ValueKind } from './values.js'

/**
 * Trigger, cron, external and handler names of the project's config, for completion. Read from
 * the config as it is (no `.env`, no validation, no server), so a half-written config still
 * offers the names it has; a config that cannot be read offers none.
 */
export async function configNames(
  kind: ValueKind,
  where: { cwd: string; config?: string | undefined },
): Promise<Candidate[]> {
  const file =
    where.config === undefined
      ? findConfigFile(where.cwd)
      : isAbsolute(where.config)
        ? where.config
        : resolve(where.cwd, where.config)
  if (file === undefined) return []
  const config = (await importConfig(file)) as Record<string, unknown> | null
  const keys = (section: string): string[] => {
    const value = config?.[section]
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : []
  }
  const out: Candidate[] = []
  const add = (value: unknown, description: string) => {
    if (typeof value === 'string' && value !== '' && !out.some((c) => c.value === value)) {
      out.push({ value, description })
    }
  }
  for (const name of keys('triggers')) add(name, 'event trigger')
  if (kind === 'triggers') return out
  for (const name of keys('crons')) add(name, 'cron trigger')
  if (kind === 'triggers-and-crons') return out
  for (const name of keys('external')) add(name, 'external webhook')
  for (const section of ['triggers', 'crons', 'external']) {
    const entries = config?.[section] as Record<string, { handler?: unknown } | undefined> | undefined
    for (const name of keys(section)) add(entries?.[name]?.handler, 'handler')
  }
  return out
}
