import type { Issue } from '../errors.js'
import { type TableColumns, tableKey } from './columns.js'
import type { Columns, Model } from './types.js'

/**
 * When the table's columns are known, a listened or payload column that is not among them is an
 * error (Hasura would report the trigger inconsistent); a table the cache has not seen is a warning.
 */
export function checkKnownColumns(model: Model, known: TableColumns, cacheFile: string): Issue[] {
  const issues: Issue[] = []
  for (const t of model.triggers) {
    const key = tableKey(t.table)
    const columns = known[key]
    if (!columns) {
      issues.push({
        path: `triggers.${t.name}.table`,
        severity: 'warning',
        message: `table ${key} is not in ${cacheFile}, so its columns are not checked`,
        hint: 'run nself-hooks scaffold --introspect (or --database-url) to refresh it',
      })
      continue
    }
    const names = new Set(columns.map((c) => c.name))
    for (const op of ['insert', 'update', 'delete'] as const) {
      const spec = t.definition[op]
      if (!spec) continue
      for (const [field, list] of [
        ['columns', spec.columns],
        ['payload', spec.payload],
      ] as [string, Columns | undefined][]) {
        if (!Array.isArray(list)) continue
        for (const col of list.filter((c) => !names.has(c))) {
          issues.push({
            path: `triggers.${t.name}.on.${op}.${field}`,
            severity: 'error',
            message: `column "${col}" does not exist in ${key}`,
            hint: `columns of ${key}: ${[...names].join(', ')} (from ${cacheFile}; refresh it with nself-hooks scaffold --introspect if the table changed)`,
          })
        }
      }
    }
  }
  return issues
}
