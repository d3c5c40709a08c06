import { Document, isScalar, Scalar, visit } from './yaml-lib.js'

const OPTIONS = { indent: 2, indentSeq: true, lineWidth: 0, singleQuote: true } as const

/**
 * YAML as `hasura metadata export` writes it: 2-space indent, sequences indented under their
 * key, single quotes where quoting is needed ('*', '{{ENV}}/path'), no line folding, and
 * `"!include file"` in double quotes, as the CLI writes its include strings.
 *
 * The tool's own items (triggers, crons, table files) are plain data of names, URLs and numbers;
 * those are written directly, byte for byte as the yaml library writes them with the options
 * above (its Document API costs most of a large generate). Anything else, any string that would
 * need other quotes, goes through the library.
 */
export function toHasuraYaml(value: unknown): string {
  const fast = plainBlock(value)
  if (fast !== undefined) return fast
  const doc = new Document(value, { aliasDuplicateObjects: false })
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.value.startsWith('!include ')) {
        node.type = Scalar.QUOTE_DOUBLE
      }
    },
  })
  return doc.toString(OPTIONS)
}

/** One sequence item (`- name: ...`) rendered at the given column of its dash. */
export function renderSeqItem(value: unknown, dashColumn: number): string {
  const pad = ' '.repeat(dashColumn)
  return toHasuraYaml([value])
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n')
}

/**
 * A string the yaml library writes unquoted in block context under the core schema: starts with
 * a letter, `_` or `/`, holds no space, quote, flow or comment indicator, does not end in `:` and
 * is not a word the schema reads as a boolean or null. Deliberately narrower than YAML's rule;
 * what it refuses goes through the library.
 */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./:?&=%+~-]*$/
const NOT_STRINGS = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL'])

function plainString(s: string): boolean {
  return PLAIN.test(s) && !s.endsWith(':') && !NOT_STRINGS.has(s)
}

/**
 * Words of letters, digits and `* / , -` separated by single spaces, as cron schedules are: plain
 * when the first starts with a letter or digit (a space keeps it from reading as a number), single
 * quoted when it starts with `*` (an alias indicator), as `'*'` for all columns is.
 */
const WORDS = /^[0-9A-Za-z*][0-9A-Za-z*/,-]*(?: [0-9A-Za-z*/,-]+)*$/

/**
 * An include line's string whose file name needs no escaping: the library writes it in double
 * quotes, as the Hasura CLI does (`- "!include public_users.yaml"`).
 */
const INCLUDE = /^!include [A-Za-z0-9_./-]+$/

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') {
    if (plainString(v)) return v
    if (INCLUDE.test(v)) return `"${v}"`
    if (!WORDS.test(v)) return undefined
    if (v.startsWith('*')) return `'${v}'`
    return v.includes(' ') ? v : undefined
  }
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : undefined
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v === null) return 'null'
  return undefined
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** Thrown inside the walk when a value needs the library; never escapes `plainBlock`. */
const NEEDS_LIBRARY = Symbol('needs the yaml library')

/**
 * The document for a non-empty map or list of plain values, else undefined (the library's job).
 * Exported for the test that compares it with the library's output.
 */
export function plainBlock(value: unknown): string | undefined {
  if (!(Array.isArray(value) ? value.length > 0 : isPlainObject(value) && Object.keys(value).length > 0))
    return undefined
  const lines: string[] = []
  try {
    block(value, 0, lines)
  } catch (err) {
    if (err === NEEDS_LIBRARY) return undefined
    throw err
  }
  return `${lines.join('\n')}\n`
}

/** Appends the lines of a non-empty collection, each indented by `indent` spaces. */
function block(value: unknown, indent: number, lines: string[]): void {
  const pad = ' '.repeat(indent)
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = scalar(item)
      if (s !== undefined) {
        lines.push(`${pad}- ${s}`)
        continue
      }
      // a map item starts on the dash's line, its other keys two columns in (indentSeq)
      if (!isPlainObject(item) || Object.keys(item).length === 0) throw NEEDS_LIBRARY
      const first = lines.length
      block(item, indent + 2, lines)
      lines[first] = `${pad}- ${lines[first]!.slice(indent + 2)}`
    }
    return
  }
  for (const key of Object.keys(value as object)) {
    const v = (value as Record<string, unknown>)[key]
    if (!plainString(key)) throw NEEDS_LIBRARY
    const s = scalar(v)
    if (s !== undefined) lines.push(`${pad}${key}: ${s}`)
    else if (Array.isArray(v)) {
      if (v.length === 0) lines.push(`${pad}${key}: []`)
      else {
        lines.push(`${pad}${key}:`)
        block(v, indent + 2, lines)
      }
    } else if (isPlainObject(v)) {
      if (Object.keys(v).length === 0) lines.push(`${pad}${key}: {}`)
      else {
        lines.push(`${pad}${key}:`)
        block(v, indent + 2, lines)
      }
    } else throw NEEDS_LIBRARY
  }
}

// ---- reading back -----------------------------------------------------------------------------

/**
 * The value of a document the direct writer would write, else undefined (the library's job).
 * Files the tool wrote itself (table files, cron_triggers.yaml, tables.yaml) are read without the
 * library's Document. Every line is held to the writer's layout (two columns per level, a map
 * item's first key on its dash's line) and every key and value to the very token the writer
 * writes for it, so the text is exactly what the writer writes for the value read: the library's
 * own output for that value, which the library reads back as that value.
 */
export function readPlainBlock(text: string): unknown {
  // the two empty documents the tool writes (an empty cron_triggers.yaml or tables.yaml)
  if (text === '[]\n') return []
  if (text === '{}\n') return {}
  if (!text.endsWith('\n')) return undefined
  const lines = text.split('\n')
  lines.pop()
  const at = { i: 0 }
  try {
    const value = readBlock(lines, at, 0)
    return at.i === lines.length ? value : undefined
  } catch (err) {
    if (err === NEEDS_LIBRARY) return undefined
    throw err
  }
}

function indentOf(line: string): number {
  let i = 0
  while (line.charCodeAt(i) === 32) i++
  return i
}

/** The collection whose first line is `lines[at.i]`, at column `col`. */
function readBlock(lines: string[], at: { i: number }, col: number): unknown {
  const line = lines[at.i]
  if (line === undefined || indentOf(line) !== col) throw NEEDS_LIBRARY
  if (!line.startsWith('- ', col)) return readMap(lines, at, col, false)
  const list: unknown[] = []
  for (
    let l = lines[at.i];
    l !== undefined && indentOf(l) === col && l.startsWith('- ', col);
    l = lines[at.i]
  ) {
    const rest = l.slice(col + 2)
    // a map item starts on the dash's line (`- key: ...`), its keys two columns in
    if (rest.includes(': ') || rest.endsWith(':')) list.push(readMap(lines, at, col + 2, true))
    else {
      list.push(readScalar(rest))
      at.i++
    }
  }
  return list
}

/** A map whose keys are at column `col`; `afterDash`: its first line is a list item's dash line. */
function readMap(
  lines: string[],
  at: { i: number },
  col: number,
  afterDash: boolean,
): Record<string, unknown> {
  const map: Record<string, unknown> = {}
  for (let l = lines[at.i]; l !== undefined; l = lines[at.i]) {
    if (afterDash) afterDash = false
    else if (indentOf(l) !== col) break
    at.i++
    const sep = l.indexOf(': ', col)
    let key: string
    let value: unknown
    if (sep < 0) {
      if (!l.endsWith(':')) throw NEEDS_LIBRARY
      key = l.slice(col, -1)
      value = readBlock(lines, at, col + 2)
    } else {
      key = l.slice(col, sep)
      const raw = l.slice(sep + 2)
      value = raw === '[]' ? [] : raw === '{}' ? {} : readScalar(raw)
    }
    if (!plainString(key) || key === '__proto__' || Object.hasOwn(map, key)) throw NEEDS_LIBRARY
    map[key] = value
  }
  return map
}

/** The value of a scalar token, when the writer writes exactly that token for it. */
function readScalar(raw: string): unknown {
  const q = raw[0]
  const v =
    (q === "'" || q === '"') && raw.length >= 2 && raw.endsWith(q)
      ? raw.slice(1, -1)
      : raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw === 'null'
            ? null
            : /^-?[0-9]+$/.test(raw)
              ? Number(raw)
              : raw
  if (scalar(v) !== raw) throw NEEDS_LIBRARY
  return v
}
