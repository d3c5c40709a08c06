import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod'
import { UserError } from '../errors.js'
import type { TableColumns } from '../model/columns.js'

/** The committed column cache beside the config, so scaffold types rows offline and in CI. */
export const COLUMNS_FILE = 'webhooks.columns.json'

const cacheSchema = z.object({
  source: z.enum(['postgres', 'hasura']),
  tables: z.record(
    z.string(),
    z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        nullable: z.boolean(),
        enum: z.array(z.string()).optional(),
      }),
    ),
  ),
})

export interface ColumnsCache {
  source: 'postgres' | 'hasura'
  tables: TableColumns
}

export function columnsCachePath(root: string): string {
  return join(root, COLUMNS_FILE)
}

export function readColumnsCache(root: string): ColumnsCache | undefined {
  const file = columnsCachePath(root)
  if (!existsSync(file)) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new UserError(`${COLUMNS_FILE} is not valid JSON: ${(err as Error).message}`, {
      hint: 'delete it and run nself-hooks scaffold --introspect (or --database-url) to rebuild it',
      cause: err,
    })
  }
  const parsed = cacheSchema.safeParse(raw)
  if (!parsed.success) {
    throw new UserError(`${COLUMNS_FILE} has an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`, {
      hint: 'delete it and run nself-hooks scaffold --introspect (or --database-url) to rebuild it',
    })
  }
  const tables: TableColumns = {}
  for (const [k, cols] of Object.entries(parsed.data.tables)) {
    tables[k] = cols.map((c) =>
      c.enum ? { ...c, enum: c.enum } : { name: c.name, type: c.type, nullable: c.nullable },
    )
  }
  return { source: parsed.data.source, tables }
}

/** Stable text: tables sorted by key, columns in table order, so the committed file only changes with the schema. */
export function renderColumnsCache(cache: ColumnsCache): string {
  const tables: TableColumns = {}
  for (const key of Object.keys(cache.tables).sort()) tables[key] = cache.tables[key]!
  const lines = [
    '{',
    `  "$comment": "column types for nself-hooks scaffold; refresh with --introspect or --database-url",`,
    `  "source": ${JSON.stringify(cache.source)},`,
    '  "tables": {',
    Object.entries(tables)
      .map(
        ([key, cols]) =>
          `    ${JSON.stringify(key)}: [\n${cols.map((c) => `      ${JSON.stringify(c)}`).join(',\n')}\n    ]`,
      )
      .join(',\n'),
    '  }',
    '}',
    '',
  ]
  return lines.filter((l, i) => !(i === 4 && l === '')).join('\n')
}
