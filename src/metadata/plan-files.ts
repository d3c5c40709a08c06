// Longer than 400 lines on purpose: the one planner of the metadata directory (splicing our items
// into shared files, include lists, crash-safe write order); its steps depend on each other's state.
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import type { Pair, YAMLMap, YAMLSeq } from 'yaml'
import { UserError } from '../errors.js'
import type { Model, TableRef } from '../model/types.js'
import { canonicalCronTrigger, canonicalEventTrigger, deepEqual } from './diff.js'
import { emitCronTrigger, emitEventTrigger, type HasuraCronTrigger, type HasuraEventTrigger } from './emit.js'
import type { Managed } from './managed.js'
import { nextManaged, ownedNames, type Present, takeoverError, takeovers } from './managed.js'
import {
  cronList,
  editNamedSeq,
  includeTarget,
  insideDir,
  type MetadataLayout,
  type NamedSeqEdit,
  parseYaml,
  readSource,
  readTableFile,
  readYaml,
  type SourceLayout,
  type TableFile,
} from './metadata-dir.js'
import { renderSeqItem, toHasuraYaml } from './yaml-format.js'
import { isMap, isScalar, isSeq } from './yaml-lib.js'

/**
 * The middle of `generate`, pure: what the metadata directory should hold, as path → text for the
 * files that differ from what is there now. Writing, printing and --check all share this.
 */
export interface FilePlan {
  /** absolute path → new content (null: delete the file), only for files that change */
  files: Map<string, string | null>
  /**
   * The paths of `files` in the order that keeps the directory readable after a crash between any
   * two steps: files that are included before the files that include them (table files, then
   * tables.yaml, then databases.yaml), and deletions last, after the includes naming them are gone.
   */
  order: string[]
  managed: Managed
  notes: string[]
}

/** Files a fresh `hasura init` + export has; created only when absent. */
export function standardFiles(source: string): Record<string, string> {
  return {
    'version.yaml': 'version: 3\n',
    'actions.graphql': '',
    'actions.yaml':
      'actions: []\ncustom_types:\n  enums: []\n  input_objects: []\n  objects: []\n  scalars: []\n',
    'allow_list.yaml': '[]\n',
    'api_limits.yaml': '{}\n',
    'cron_triggers.yaml': '[]\n',
    'graphql_schema_introspection.yaml': '{}\n',
    'inherited_roles.yaml': '[]\n',
    'network.yaml': '{}\n',
    'query_collections.yaml': '[]\n',
    'remote_schemas.yaml': '[]\n',
    'rest_endpoints.yaml': '[]\n',
    'databases/databases.yaml': toHasuraYaml([defaultSource(source)]),
    [`databases/${source}/tables/tables.yaml`]: '[]\n',
  }
}

function defaultSource(name: string) {
  return {
    name,
    kind: 'postgres',
    configuration: {
      connection_info: {
        database_url: { from_env: 'HASURA_GRAPHQL_DATABASE_URL' },
        isolation_level: 'read-committed',
        pool_settings: { connection_lifetime: 600, idle_timeout: 180, max_connections: 50, retries: 1 },
        use_prepared_statements: true,
      },
    },
    tables: `!include ${name}/tables/tables.yaml`,
  }
}

const tableKey = (source: string, t: TableRef) => `${source}\u0000${t.schema}\u0000${t.name}`

export function planFiles(
  layout: MetadataLayout,
  model: Model,
  managed: Managed,
  opts: { adopt?: boolean } = {},
): FilePlan {
  const files = new Map<string, string | null>()
  const notes: string[] = []
  const owned = ownedNames(model, managed)
  const toolTables = new Set((managed.tables ?? []).map((t) => tableKey(t.source, t)))
  const current = new Map<string, string | undefined>()
  const set = (path: string, text: string | null, before: string | undefined) => {
    if (text !== before) files.set(path, text)
    current.set(path, text ?? undefined)
  }
  const textOf = (path: string, fallback: string | undefined) =>
    current.has(path) ? current.get(path) : fallback

  // A project with no metadata yet gets the CLI's standard files, never overwriting one that exists.
  const sources = [...layout.sources]
  if (!layout.exists || sources.length === 0) {
    const dbFile = join(layout.dir, 'databases', 'databases.yaml')
    const existingDb = layout.exists ? textOf(dbFile, readIfPresent(layout, dbFile)) : undefined
    const dbIsEmpty = existingDb === undefined || /^\s*(\[\s*\]\s*)?$/.test(existingDb)
    if (!dbIsEmpty) {
      throw new UserError(`${dbFile} lists no postgres source nself-hooks can read`, {
        hint: `add the source "${model.hasura.source}" with the Hasura CLI, or set hasura.source in the config`,
      })
    }
    for (const [rel, text] of Object.entries(standardFiles(model.hasura.source))) {
      const path = insideDir(layout.dir, join(layout.dir, rel), `source name "${model.hasura.source}"`)
      if (rel === 'databases/databases.yaml' || !layout.exists || readIfPresent(layout, path) === undefined) {
        set(path, text, layout.exists ? readIfPresent(layout, path) : undefined)
      }
    }
    // A tables.yaml without databases.yaml naming it: written by a run that stopped before its last
    // step (databases.yaml is written last); its includes are read, not overwritten.
    const tablesFile = join(layout.dir, 'databases', model.hasura.source, 'tables', 'tables.yaml')
    const stopped = layout.exists ? readSource(layout.dir, model.hasura.source, tablesFile) : undefined
    sources.push(
      stopped?.tablesText !== undefined
        ? stopped
        : { name: model.hasura.source, tablesFile, tablesText: '[]\n', tables: [] },
    )
    notes.push(`created the Hasura metadata layout in ${layout.dir}`)
  }

  // Desired event triggers, grouped by table.
  const desired = new Map<
    string,
    { source: string; table: TableRef; triggers: Map<string, HasuraEventTrigger> }
  >()
  for (const t of model.triggers) {
    const key = tableKey(t.source, t.table)
    const entry = desired.get(key) ?? { source: t.source, table: t.table, triggers: new Map() }
    entry.triggers.set(t.name, emitEventTrigger(t))
    desired.set(key, entry)
  }
  const missingSources = [...new Set(model.triggers.map((t) => t.source))].filter(
    (s) => !sources.some((src) => src.name === s),
  )
  if (missingSources.length > 0) {
    throw new UserError(
      `source ${missingSources.map((s) => `"${s}"`).join(', ')} is not in ${join(layout.dir, 'databases', 'databases.yaml')}`,
      {
        hint: `sources there: ${sources.map((s) => s.name).join(', ') || 'none'}; set hasura.source (or the trigger's source) to one of them`,
      },
    )
  }

  if (!opts.adopt) {
    const present: Present = { eventTriggers: [], cronTriggers: [] }
    for (const source of sources) {
      for (const tf of source.tables) {
        const where = relative(layout.dir, tf.path)
        for (const name of triggerNames(tf)) present.eventTriggers.push({ source: source.name, name, where })
      }
    }
    for (const c of cronList(layout))
      if (c.name) present.cronTriggers.push({ name: c.name, where: 'cron_triggers.yaml' })
    const found = takeovers(model, [managed], present)
    if (found.length > 0) throw takeoverError(found, 'generate')
  }

  // A file of a table the tool tracks that tables.yaml does not include: left by a run that stopped
  // between writing the file and its include (or between dropping the include and the file). It is
  // read as if included; the plan below then includes it again or deletes it.
  const orphans = new Set<string>()
  // each source's tables and files by key, so the check is not a scan per recorded table
  const listed = new Map(
    sources.map((s) => [s, new Set(s.tables.flatMap((tf) => [tableKey('', tf.table), tf.path]))]),
  )
  for (const t of managed.tables ?? []) {
    const source = sources.find((s) => s.name === t.source)
    if (!source || listed.get(source)!.has(tableKey('', t))) continue
    const path = tableFilePath(layout.dir, source, t)
    const text = existsSyncText(path)
    const tf = text === undefined ? undefined : readTableFile(path, text)
    if (!tf || listed.get(source)!.has(path)) continue
    source.tables.push(tf)
    listed.get(source)!.add(tableKey('', tf.table)).add(path)
    orphans.add(path)
  }

  const includeEdits = new Map<string, { add: string[]; remove: Set<string> }>()
  const includes = (tablesFile: string) => {
    const e = includeEdits.get(tablesFile) ?? { add: [], remove: new Set<string>() }
    includeEdits.set(tablesFile, e)
    return e
  }
  const seen = new Map<string, string>()
  const kept = new Set<string>()
  for (const source of sources) {
    for (const tf of source.tables) {
      const key = tableKey(source.name, tf.table)
      const want = desired.get(key)?.triggers ?? new Map<string, HasuraEventTrigger>()
      const present = triggerNames(tf)
      for (const name of present) {
        const other = seen.get(`${source.name}\u0000${name}`)
        if (other !== undefined && !owned.eventTriggers(source.name, name)) {
          notes.push(
            `warning: event trigger "${name}" appears in ${basename(other)} and ${basename(tf.path)}; Hasura refuses duplicate names (left as is: not managed here)`,
          )
        }
        seen.set(`${source.name}\u0000${name}`, tf.path)
      }
      const remove = new Set(present.filter((n) => owned.eventTriggers(source.name, n) && !want.has(n)))
      desired.delete(key)
      const orphan = orphans.has(tf.path)
      // an item that already means what the config says keeps its text, however it is spelled
      const upsert = new Map([...want].filter(([name, t]) => !sameEventTrigger(tf, name, t)))
      if (upsert.size === 0 && remove.size === 0 && !orphan) {
        kept.add(key)
        continue
      }
      const next = editTableFile(tf, { upsert: upsert as Map<string, unknown>, remove })
      // a table that keeps or gains a trigger of ours is not left empty: no need to parse the result
      const onlyTable =
        want.size === 0 &&
        toolTables.has(key) &&
        Object.keys((parseYaml(next, tf.path).toJS() as object | null) ?? {}).join() === 'table'
      if (toolTables.has(key) && onlyTable) {
        // The tool tracked this table only for its triggers: with none left, untrack it again.
        set(tf.path, null, tf.text)
        if (orphan) {
          toolTables.delete(key)
          continue
        }
        includes(source.tablesFile).remove.add(basename(tf.path))
        toolTables.delete(key)
        notes.push(
          `untracked table ${tf.table.schema}.${tf.table.name} (tracked by nself-hooks for triggers that are gone)`,
        )
      } else {
        set(tf.path, next, tf.text)
        kept.add(key)
        if (orphan) includes(source.tablesFile).add.push(relative(dirname(source.tablesFile), tf.path))
      }
    }
  }

  // Tables that have no file yet: a new table file, and an !include line in tables.yaml.
  for (const { source, table, triggers } of [...desired.values()].filter((d) => d.triggers.size > 0)) {
    const src = sources.find((s) => s.name === source)!
    const path = tableFilePath(layout.dir, src, table)
    const fileName = basename(path)
    if (readIfPresent(layout, path) !== undefined || current.has(path)) {
      throw new UserError(
        `${path} exists but tables.yaml does not include it for table ${table.schema}.${table.name}`,
        {
          hint: `add - "!include ${fileName}" to ${src.tablesFile}, or remove the stray file`,
        },
      )
    }
    const list = [...triggers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t)
    set(
      path,
      toHasuraYaml({ table: { name: table.name, schema: table.schema }, event_triggers: list }),
      undefined,
    )
    includes(src.tablesFile).add.push(fileName)
    toolTables.add(tableKey(source, table))
    kept.add(tableKey(source, table))
    notes.push(`tracked table ${table.schema}.${table.name} in ${fileName}`)
  }

  // Each tables.yaml is edited once, whatever the number of tables that come or go: its list
  // is parsed once and spliced (editing it once per table re-parsed a growing file each time).
  for (const source of sources) {
    const edit = includeEdits.get(source.tablesFile)
    if (!edit) continue
    const before = textOf(source.tablesFile, source.tablesText)
    let text = before
    if (edit.remove.size > 0) text = removeIncludes(text ?? '', edit.remove, source.tablesFile)
    if (edit.add.length > 0) text = addIncludes(text, edit.add, source.tablesFile)
    set(source.tablesFile, text ?? '[]\n', before)
  }

  // Cron triggers live in one file.
  const cronWant = new Map(
    model.crons.filter((c) => c.includeInMetadata).map((c) => [c.name, emitCronTrigger(c)]),
  )
  const cronText = textOf(layout.cronFile, layout.cronText)
  const cronNext = editCronFile(cronText ?? '[]\n', layout.cronFile, cronWant, owned.cronTriggers)
  set(layout.cronFile, cronNext, cronText)

  // A table recorded as the tool's whose file is gone (a run stopped before writing it) is forgotten.
  for (const key of toolTables) if (!kept.has(key)) toolTables.delete(key)

  const includers = new Set<string>(sources.map((s) => s.tablesFile))
  const dbFile = join(layout.dir, 'databases', 'databases.yaml')
  const rank = (path: string) =>
    files.get(path) === null ? 3 : path === dbFile ? 2 : includers.has(path) ? 1 : 0
  const order = [...files.keys()]
    .map((path, i) => ({ path, i, r: rank(path) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.path)

  return {
    files,
    order,
    managed: nextManaged(
      model,
      managed,
      [...toolTables].map((k) => {
        const [source = '', schema = '', name = ''] = k.split('\u0000')
        return { source, schema, name }
      }),
    ),
    notes,
  }
}

/** `<schema>_<table>.yaml` beside tables.yaml, as the Hasura CLI names table files. */
function tableFilePath(dir: string, source: SourceLayout, t: TableRef): string {
  const fileName = `${t.schema}_${t.name}.yaml`
  const path = join(dirname(source.tablesFile), fileName)
  if (/[/\\\0]/.test(fileName) || basename(path) !== fileName) {
    throw new UserError(`table "${t.schema}.${t.name}" cannot be a file name (${fileName})`, {
      hint: 'nself-hooks and the Hasura CLI name the table file <schema>_<table>.yaml: rename the table or schema without / \\ or NUL',
    })
  }
  return insideDir(dir, path, `table "${t.schema}.${t.name}"`)
}

function readIfPresent(layout: MetadataLayout, path: string): string | undefined {
  if (path === layout.cronFile) return layout.cronText
  for (const s of layout.sources) {
    if (s.tablesFile === path) return s.tablesText
    const t = s.tables.find((x) => x.path === path)
    if (t) return t.text
  }
  return existsSyncText(path)
}

function existsSyncText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}

/** The file's item of that name means the same to Hasura as `want` (key order, defaults and quoting aside). */
function sameEventTrigger(tf: TableFile, name: string, want: HasuraEventTrigger): boolean {
  const list = (tf.value.event_triggers as HasuraEventTrigger[] | null | undefined) ?? []
  const matches = list.filter((t) => t?.name === name)
  if (matches.length !== 1) return false
  // the same data means the same; only data that differs is compared by meaning
  return (
    deepEqual(matches[0], want) ||
    deepEqual(canonicalEventTrigger(matches[0]!, tf.table), canonicalEventTrigger(want, tf.table))
  )
}

function triggerNames(tf: TableFile): string[] {
  const list = (tf.value.event_triggers as { name?: string }[] | null | undefined) ?? []
  return list.map((t) => t.name).filter((n): n is string => typeof n === 'string')
}

/** Replaces only the managed items of a table file's event_triggers; every other byte stays. */
export function editTableFile(tf: TableFile, edit: NamedSeqEdit): string {
  const root = tf.doc.contents
  if (!isMap(root))
    throw new UserError(`${tf.path} is not a table definition`, { hint: 'restore it from git' })
  const pair = (root as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === 'event_triggers') as
    | Pair<{ range?: [number, number, number]; value?: unknown }, unknown>
    | undefined
  const text = tf.text
  if (!pair) {
    if (edit.upsert.size === 0) return text
    const items = [...edit.upsert].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => renderSeqItem(v, 2))
    return `${text.endsWith('\n') || text === '' ? text : `${text}\n`}event_triggers:\n${items.join('')}`
  }
  const keyStart = text.lastIndexOf('\n', pair.key!.range![0] - 1) + 1
  const value = pair.value
  const block = isSeq(value) && !(value as YAMLSeq).flow && (value as YAMLSeq).items.length > 0
  const keptCount = block
    ? (value as YAMLSeq).items.filter((n) => {
        const name = isMap(n) ? (n as YAMLMap).get('name') : undefined
        return typeof name !== 'string' || (!edit.remove.has(name) && !edit.upsert.has(name))
      }).length
    : 0
  if (block && keptCount + edit.upsert.size > 0) {
    return editNamedSeq(text, value as YAMLSeq, edit, renderSeqItem)
  }
  // Empty, flow-style or emptied list: rewrite just this key (Hasura omits an empty event_triggers).
  const end = isSeq(value) ? (value as YAMLSeq).range![2] : pair.key!.range![2]
  const kept = isSeq(value)
    ? ((value as YAMLSeq).toJSON() as { name?: string }[]).filter(
        (t) => !(t.name && (edit.remove.has(t.name) || edit.upsert.has(t.name))),
      )
    : []
  const all = [...kept, ...edit.upsert.values()] as { name: string }[]
  all.sort((a, b) => (a.name < b.name ? -1 : 1))
  const replacement = all.length ? `event_triggers:\n${all.map((v) => renderSeqItem(v, 2)).join('')}` : ''
  let rest = text.slice(end)
  if (replacement === '' && rest.startsWith('\n')) rest = rest.slice(1)
  return text.slice(0, keyStart) + replacement + rest
}

function editCronFile(
  text: string,
  file: string,
  want: Map<string, unknown>,
  owned: (name: string) => boolean,
): string {
  const items = (readYaml(text, file) as HasuraCronTrigger[] | null) ?? []
  const present = items.map((c) => c.name ?? '')
  const remove = new Set(present.filter((n) => owned(n) && !want.has(n)))
  // an item that already means what the config says keeps its text, however it is spelled
  const upsert = new Map(
    [...want].filter(([name, c]) => {
      const matches = items.filter((x) => x?.name === name)
      return !(
        matches.length === 1 &&
        (deepEqual(matches[0], c) ||
          deepEqual(canonicalCronTrigger(matches[0]!), canonicalCronTrigger(c as HasuraCronTrigger)))
      )
    }),
  )
  if (upsert.size === 0 && remove.size === 0 && text.trim() !== '') return text
  // the empty list the tool writes (a new project's file): the new items are the whole file
  if (text === '[]\n' && upsert.size > 0) {
    const all = [...(upsert.values() as Iterable<{ name: string }>)]
    return toHasuraYaml(all.sort((a, b) => (a.name < b.name ? -1 : 1)))
  }
  const doc = parseYaml(text, file)
  const seq = doc.contents
  if (isSeq(seq) && !(seq as YAMLSeq).flow && (seq as YAMLSeq).items.length > 0) {
    const survivors = present.filter((n) => !remove.has(n) && !upsert.has(n)).length
    if (survivors + upsert.size > 0)
      return editNamedSeq(text, seq as YAMLSeq, { upsert, remove }, renderSeqItem)
    return '[]\n'
  }
  if (seq !== null && !isSeq(seq)) {
    throw new UserError(`${file} is not a list of cron triggers`, { hint: 'restore it from git' })
  }
  const kept = ((doc.toJS() as { name: string }[] | null) ?? []).filter(
    (c) => !remove.has(c.name) && !upsert.has(c.name),
  )
  const all = [...kept, ...(upsert.values() as Iterable<{ name: string }>)].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )
  if (all.length === 0) return text.trim() === '' ? '[]\n' : text
  return toHasuraYaml(all)
}

/**
 * Adds `- "!include <file>"` lines to tables.yaml: each in order when the list is sorted (as the
 * Hasura CLI writes it), else at the end in the order given. One parse for all of them.
 */
function addIncludes(text: string | undefined, fileNames: readonly string[], path: string): string {
  // The include string goes through the yaml library's quoting: a file name may hold `"` or `\`.
  const line = (name: string, col: number) => renderSeqItem(`!include ${name}`, col)
  if (fileNames.length === 0) return text ?? '[]\n'
  if (text === undefined || /^\s*(\[\s*\]\s*)?$/.test(text)) {
    return [...fileNames]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((n) => line(n, 0))
      .join('')
  }
  const doc = parseYaml(text, path)
  const seq = doc.contents
  if (!isSeq(seq))
    throw new UserError(`${path} is not a list of !include lines`, { hint: 'restore it from git' })
  if ((seq as YAMLSeq).flow) {
    // a flow list becomes a block list, then takes the new lines as a block list does
    const entries = ((seq as YAMLSeq).toJSON() as unknown[]).map((e) =>
      typeof e === 'string' ? e : `!include ${includeTarget(e)}`,
    )
    const [first, ...rest] = fileNames
    return addIncludes(toHasuraYaml([...entries, `!include ${first}`]), rest, path)
  }
  const items = (seq as YAMLSeq).items as { range?: [number, number, number] }[]
  const targets = ((seq as YAMLSeq).toJSON() as unknown[]).map((e) => includeTarget(e) ?? '')
  const starts = items.map((n) => text.lastIndexOf('\n', n.range![0] - 1) + 1)
  const col = text.slice(starts[0]!, items[0]!.range![0]).indexOf('-')
  const sorted = targets.every((t, i) => i === 0 || targets[i - 1]! <= t)
  const end = (seq as YAMLSeq).range![2]
  const head = text.slice(0, end)
  const tail = text.slice(end)
  if (!sorted) {
    return (head.endsWith('\n') ? head : `${head}\n`) + fileNames.map((n) => line(n, col)).join('') + tail
  }
  // sorted: a merge, each new line before the first existing item that sorts after it
  const news = [...fileNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  let out = ''
  let from = 0
  let j = 0
  for (let i = 0; i < targets.length && j < news.length; i++) {
    let block = ''
    while (j < news.length && targets[i]! > news[j]!) block += line(news[j++]!, col)
    if (block) {
      out += text.slice(from, starts[i]) + block
      from = starts[i]!
    }
  }
  if (j === news.length) return out + text.slice(from)
  const rest = text.slice(from, end)
  const lines = news
    .slice(j)
    .map((n) => line(n, col))
    .join('')
  return (
    out + (rest.endsWith('\n') || (rest === '' && out.endsWith('\n')) ? rest : `${rest}\n`) + lines + tail
  )
}

/** Drops the `!include <file>` items of these files from tables.yaml, keeping every other line. */
function removeIncludes(text: string, fileNames: ReadonlySet<string>, path: string): string {
  const doc = parseYaml(text, path)
  const seq = doc.contents
  if (!isSeq(seq)) return text
  const items = (seq as YAMLSeq).items as { range?: [number, number, number] }[]
  const targets = ((seq as YAMLSeq).toJSON() as unknown[]).map((e) => includeTarget(e))
  const drop = new Set<number>()
  const gone = new Set<string>()
  targets.forEach((t, i) => {
    // the first item naming a file goes, as one removal per file always did
    if (t !== undefined && fileNames.has(t) && !gone.has(t)) {
      drop.add(i)
      gone.add(t)
    }
  })
  if (drop.size === 0) return text
  if (drop.size === items.length) return '[]\n'
  const startOf = (i: number) => text.lastIndexOf('\n', items[i]!.range![0] - 1) + 1
  let out = ''
  let from = 0
  for (const i of [...drop].sort((a, b) => a - b)) {
    const start = startOf(i)
    const end = i + 1 < items.length ? startOf(i + 1) : (seq as YAMLSeq).range![2]
    out += text.slice(from, start)
    from = end
  }
  return out + text.slice(from)
}
