import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml'
import { UserError } from '../errors.js'
import type { TableRef } from '../model/types.js'
import type { HasuraCronTrigger, HasuraEventTrigger } from './emit.js'
import { readPlainBlock } from './yaml-format.js'
import { isMap, isScalar, isSeq, parseDocument, visit } from './yaml-lib.js'

/**
 * Reading the Hasura CLI's config v3 metadata directory (docs/hasura-compatibility.md "Metadata files"): databases.yaml → per source
 * tables.yaml → one file per table, and cron_triggers.yaml. Text is kept as read, so edits can be
 * spliced in without touching a byte the tool does not own.
 */

const INCLUDE_TAG = { tag: '!include', resolve: (s: string) => ({ include: s }) }

export interface TableFile {
  path: string
  table: TableRef
  text: string
  /** the file as data, as Hasura reads it */
  value: Record<string, unknown>
  /** the file's document, with the source ranges an edit splices by: parsed on first use */
  readonly doc: Document
}

export interface SourceLayout {
  name: string
  /** absolute path of this source's tables.yaml (may not exist yet) */
  tablesFile: string
  tablesText: string | undefined
  tables: TableFile[]
}

export interface MetadataLayout {
  dir: string
  exists: boolean
  sources: SourceLayout[]
  cronFile: string
  cronText: string | undefined
}

export interface ActualTriggers {
  eventTriggers: { source: string; table: TableRef; trigger: HasuraEventTrigger; file: string }[]
  cronTriggers: { cron: HasuraCronTrigger; file: string }[]
}

export function parseYaml(text: string, file: string): Document {
  const doc = parseDocument(text, { customTags: [INCLUDE_TAG], keepSourceTokens: false })
  if (doc.errors.length > 0) {
    throw new UserError(`${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, {
      hint: 'fix the file (or restore it from git) and run again',
    })
  }
  // Aliases expand when the document is read; the yaml library stops a document whose aliases
  // multiply (a "billion laughs" file) with a ReferenceError, raised here once instead of later.
  let aliases = false
  visit(doc, {
    Alias() {
      aliases = true
      return visit.BREAK
    },
  })
  if (aliases) {
    try {
      doc.toJS()
    } catch (err) {
      throw new UserError(`${file} has YAML aliases that expand too far (${(err as Error).message})`, {
        hint: 'write the values out instead of using &anchors and *aliases, or restore the file from git',
        cause: err,
      })
    }
  }
  return doc
}

/**
 * A YAML file as data. A file exactly as the tool writes it is read directly (`readPlainBlock`);
 * any other goes through the library, with `parseYaml`'s checks.
 */
export function readYaml(text: string, file: string): unknown {
  const plain = readPlainBlock(text)
  return plain !== undefined ? plain : parseYaml(text, file).toJS()
}

/**
 * A path built from a config value or read from a metadata file, refused unless it stays inside
 * the metadata directory (an `!include ../../x.yaml` or a table named `../x` would read or write
 * elsewhere).
 */
export function insideDir(dir: string, path: string, what: string, file?: string): string {
  const rel = relative(resolve(dir), resolve(path))
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || path.includes('\0')) {
    throw new UserError(
      `${what} points outside the metadata directory ${dir}${file ? ` (in ${file})` : ''}`,
      {
        hint: 'every file of the metadata lives inside that directory: fix the value (or restore the file from git)',
      },
    )
  }
  return path
}

/** The cron triggers in cron_triggers.yaml (empty when the file is absent or empty). */
export function cronList(layout: MetadataLayout): HasuraCronTrigger[] {
  if (layout.cronText === undefined) return []
  const list = readYaml(layout.cronText, layout.cronFile)
  if (list === null || list === undefined) return []
  if (!Array.isArray(list) || list.some((c) => !isRecord(c))) {
    throw new UserError(`${layout.cronFile} is not a list of cron triggers`, {
      hint: 'Hasura writes a YAML list there (`- name: ...` items, or [] when there are none): restore it from git',
    })
  }
  return list as HasuraCronTrigger[]
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `"!include x"`, `!include "x"`, `"!include \"s 5/x\""`: every spelling the Hasura CLI reads. */
export function includeTarget(value: unknown): string | undefined {
  let s: string | undefined
  if (typeof value === 'string') {
    const m = /^!include\s+(.+)$/.exec(value.trim())
    s = m?.[1]
  } else if (value && typeof value === 'object' && 'include' in value) {
    s = String((value as { include: unknown }).include)
  }
  if (s === undefined) return undefined
  s = s.trim()
  if ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'"))) s = s.slice(1, -1)
  return s
}

function read(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined
}

export function readLayout(dir: string): MetadataLayout {
  const exists = existsSync(dir) && statSync(dir).isDirectory()
  const cronFile = join(dir, 'cron_triggers.yaml')
  const layout: MetadataLayout = { dir, exists, sources: [], cronFile, cronText: read(cronFile) }
  if (!exists) return layout
  const version = read(join(dir, 'version.yaml'))
  if (version !== undefined) {
    const v = (readYaml(version, 'version.yaml') as { version?: unknown } | null)?.version
    if (v !== 3) {
      throw new UserError(
        `${join(dir, 'version.yaml')} says version ${String(v)}; nself-hooks reads config v3`,
        {
          hint: 'upgrade the project with `hasura scripts update-project-v3`, then run again',
        },
      )
    }
  }
  const dbFile = join(dir, 'databases', 'databases.yaml')
  const dbText = read(dbFile)
  if (dbText === undefined) return layout
  const dbs = readYaml(dbText, dbFile)
  if (dbs !== null && !Array.isArray(dbs)) {
    throw new UserError(`${dbFile} is not a list of sources`, {
      hint: 'restore it from git or re-export metadata',
    })
  }
  for (const db of (dbs ?? []) as Record<string, unknown>[]) {
    const name = String(db.name)
    const target = includeTarget(db.tables)
    if (
      db.tables !== undefined &&
      target === undefined &&
      !(Array.isArray(db.tables) && db.tables.length === 0)
    ) {
      throw new UserError(`source "${name}" in ${dbFile} lists its tables inline`, {
        hint: 'export the metadata with the Hasura CLI (tables in !include files), then run again',
      })
    }
    const tablesFile = insideDir(
      dir,
      join(dir, 'databases', target ?? join(name, 'tables', 'tables.yaml')),
      target === undefined ? `source name "${name}"` : `!include ${target}`,
      dbFile,
    )
    layout.sources.push(readSource(dir, name, tablesFile))
  }
  return layout
}

/** One source's tables.yaml and the table files it includes. */
export function readSource(dir: string, name: string, tablesFile: string): SourceLayout {
  const tablesText = read(tablesFile)
  const tables: TableFile[] = []
  if (tablesText !== undefined) {
    const list = readYaml(tablesText, tablesFile)
    if (list !== null && !Array.isArray(list)) {
      throw new UserError(`${tablesFile} is not a list of !include lines`, {
        hint: 'Hasura writes a YAML list there (- "!include public_users.yaml" items, or []): restore it from git',
      })
    }
    for (const entry of (list ?? []) as unknown[]) {
      const inc = includeTarget(entry)
      if (inc === undefined) continue
      const path = insideDir(dir, join(dirname(tablesFile), inc), `!include ${inc}`, tablesFile)
      const text = read(path)
      if (text === undefined) {
        throw new UserError(`${relative(dir, tablesFile)} includes ${inc}, which does not exist`, {
          hint: 'remove the !include line or restore the file',
        })
      }
      const tf = readTableFile(path, text)
      if (tf) tables.push(tf)
    }
  }
  return { name, tablesFile, tablesText, tables }
}

/**
 * A table file: a map with `table:` and, if any, a list of event_triggers. A table other than a
 * Postgres `{ schema, name }` (another kind of source) is skipped: undefined.
 */
export function readTableFile(path: string, text: string): TableFile | undefined {
  const plain = readPlainBlock(text)
  let doc = plain === undefined ? parseYaml(text, path) : undefined
  const value = plain !== undefined ? plain : doc!.toJS()
  const triggers = isRecord(value) ? value.event_triggers : undefined
  if (!isRecord(value) || (triggers !== undefined && triggers !== null && !Array.isArray(triggers))) {
    throw new UserError(`${path} is not a table definition`, {
      hint: 'Hasura writes a map there (table: { name, schema }, then event_triggers: as a list): restore it from git, or remove its !include line',
    })
  }
  const t = value.table
  if (!isRecord(t) || typeof t.name !== 'string') return undefined
  const schema = typeof t.schema === 'string' ? t.schema : 'public'
  return {
    path,
    table: { schema, name: t.name },
    text,
    value,
    get doc() {
      doc ??= parseYaml(text, path)
      return doc
    },
  }
}

export function readActual(dir: string): ActualTriggers {
  return actualFromLayout(readLayout(dir))
}

export function actualFromLayout(layout: MetadataLayout): ActualTriggers {
  const out: ActualTriggers = { eventTriggers: [], cronTriggers: [] }
  for (const source of layout.sources) {
    for (const t of source.tables) {
      const list = (t.value.event_triggers as HasuraEventTrigger[] | null | undefined) ?? []
      for (const trigger of list)
        out.eventTriggers.push({ source: source.name, table: t.table, trigger, file: t.path })
    }
  }
  for (const cron of cronList(layout)) out.cronTriggers.push({ cron, file: layout.cronFile })
  return out
}

/** Line (1-based) of a named item in a file, for annotations. */
export function lineOfName(text: string, name: string): number | undefined {
  const lines = text.split('\n')
  const i = lines.findIndex((l) => new RegExp(`^\\s*-?\\s*name:\\s*['"]?${escapeRe(name)}['"]?\\s*$`).test(l))
  return i < 0 ? undefined : i + 1
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

// ---- splicing -------------------------------------------------------------------------------

export interface NamedSeqEdit {
  /** final content for these names (create or update) */
  upsert: Map<string, unknown>
  /** names to drop */
  remove: Set<string>
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1
}

function itemName(node: unknown): string | undefined {
  if (!isMap(node)) return undefined
  const v = (node as YAMLMap).get('name')
  return typeof v === 'string' ? v : isScalar(v) ? String(v.value) : undefined
}

/**
 * Applies an edit to a block sequence of `name:`-keyed maps, keeping every untouched item's text.
 * New items go in name order when the list is sorted (as Hasura exports it), else at the end.
 */
export function editNamedSeq(
  text: string,
  seq: YAMLSeq,
  edit: NamedSeqEdit,
  render: (value: unknown, dashColumn: number) => string,
): string {
  const items = seq.items as Node[]
  const first = items[0]
  if (!first?.range) return text
  const regionStart = lineStart(text, first.range[0])
  const regionEnd = seq.range![2]
  const dashColumn = text.slice(regionStart, first.range[0]).indexOf('-')
  const pieces: { name: string | undefined; text: string }[] = items.map((node, i) => {
    const start = lineStart(text, node.range![0])
    const next = items[i + 1]
    const end = next?.range ? lineStart(text, next.range[0]) : regionEnd
    let slice = text.slice(start, end)
    if (!slice.endsWith('\n')) slice += '\n'
    return { name: itemName(node), text: slice }
  })
  const done = new Set<string>()
  const out: { name: string | undefined; text: string }[] = []
  for (const p of pieces) {
    if (p.name !== undefined && edit.upsert.has(p.name)) {
      if (done.has(p.name)) continue
      done.add(p.name)
      out.push({ name: p.name, text: render(edit.upsert.get(p.name), dashColumn) })
    } else if (p.name !== undefined && edit.remove.has(p.name)) {
      // dropped
    } else out.push(p)
  }
  const names = pieces.map((p) => p.name ?? '')
  const sorted = names.every((n, i) => i === 0 || names[i - 1]! <= n)
  for (const [name, value] of [...edit.upsert]
    .filter(([n]) => !done.has(n))
    .sort(([a], [b]) => (a < b ? -1 : 1))) {
    const piece = { name, text: render(value, dashColumn) }
    const at = sorted ? out.findIndex((p) => (p.name ?? '') > name) : -1
    if (at < 0) out.push(piece)
    else out.splice(at, 0, piece)
  }
  const body = out.map((p) => p.text).join('')
  const rest = text.slice(regionEnd)
  return text.slice(0, regionStart) + body + rest
}

export { isMap, isSeq }
