/**
 * Escapers for every context a config value reaches in generated code. Names, tables, columns, enum
 * labels, header names and cron schedules are the user's (or the database's) text: each goes through
 * the escaper of the place it lands, so no value can end a string or comment early or become code.
 *
 * String literal rules: ECMAScript (https://tc39.es/ecma262/#sec-literals-string-literals) and Python
 * (https://docs.python.org/3/reference/lexical_analysis.html#string-and-bytes-literals).
 */

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')

/** Control characters, line and paragraph separators, and lone surrogates (they cannot be written as UTF-8). */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const JS_SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** A single-quoted TypeScript string literal whose value is exactly `s`. */
export function tsString(s: string): string {
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(UNSAFE, (c) => JS_SHORT[c] ?? `\\u${hex(c.charCodeAt(0), 4)}`)
  return `'${body}'`
}

/** The text of a TypeScript template literal (between backticks) whose value is exactly `s`. */
export function tsTemplateText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/`/g, '\\`')
    .replace(/\$\{/g, '\\${')
    .replace(UNSAFE, (c) => JS_SHORT[c] ?? `\\u${hex(c.charCodeAt(0), 4)}`)
}

/** JSON text (also TypeScript), with the separators U+2028/U+2029 escaped as well. */
export function tsJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`)
}

/** Visible stand-ins for characters that would end or corrupt a comment line. */
function commentSafe(s: string): string {
  return s.replace(UNSAFE, (c) => JS_SHORT[c] ?? `\\u${hex(c.charCodeAt(0), 4)}`)
}

/** Text for a `//` or `/* *\/` comment: stays on one line and never closes the comment. */
export function tsComment(s: string): string {
  return commentSafe(s).replace(/\*\//g, '*\\/')
}

/** A double-quoted Python str literal, ASCII only, whose value is exactly `s`. */
export function pyString(s: string): string {
  return `"${pyEscape(s, true)}"`
}

function pyEscape(s: string, escapeNonAscii: boolean): string {
  let out = ''
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (ch === '\\') out += '\\\\'
    else if (ch === '"') out += '\\"'
    else if (JS_SHORT[ch]) out += JS_SHORT[ch]
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) out += `\\x${hex(cp, 2)}`
    else if (cp >= 0xd800 && cp <= 0xdfff) out += `\\u${hex(cp, 4)}`
    else if (cp === 0x2028 || cp === 0x2029) out += `\\u${hex(cp, 4)}`
    else if (cp > 0x7e && escapeNonAscii) out += cp > 0xffff ? `\\U${hex(cp, 8)}` : `\\u${hex(cp, 4)}`
    else out += ch
  }
  return out
}

/** Text inside a `"""docstring"""`: backslashes and quotes escaped, so the docstring's value is `s`. */
export function pyDoc(s: string): string {
  return pyEscape(s, false)
}

/** Text for a `#` comment: one line, no NUL. */
export function pyComment(s: string): string {
  return commentSafe(s)
}

/**
 * A config value on its way into a template. It has no string form, so a template that prints it
 * without an escaping helper fails to render instead of writing the raw text.
 */
export class UserText {
  constructor(readonly value: string) {}
  toString(): string {
    throw new Error(
      `template printed the config value ${JSON.stringify(this.value.slice(0, 40))} without an escaping helper`,
    )
  }
  [Symbol.toPrimitive](): string {
    return this.toString()
  }
}

export function userText(v: unknown): string {
  if (v instanceof UserText) return v.value
  if (typeof v === 'string' || typeof v === 'number') return String(v)
  throw new Error(`escaping helper got ${typeof v}`)
}

/**
 * JSON data as a TypeScript expression, indented two spaces per level: an object literal, or
 * `JSON.parse('...')` when a key is `__proto__` (an object literal would take it as the prototype).
 */
export function tsValue(v: unknown): string {
  const text = JSON.stringify(v, null, 2).replace(/[\u2028\u2029]/g, (c) => `\\u${hex(c.charCodeAt(0), 4)}`)
  return /"__proto__"\s*:/.test(text) ? `JSON.parse(${tsString(JSON.stringify(v))})` : text
}

/** JSON data as a Python expression (dicts, lists, str literals, True / False / None), indented four spaces per level. */
export function pyValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None'
  if (typeof v === 'string') return pyString(v)
  const inner = '    '.repeat(depth + 1)
  const items = Array.isArray(v)
    ? v.map((x) => pyValue(x, depth + 1))
    : Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyString(k)}: ${pyValue(x, depth + 1)}`)
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}']
  if (items.length === 0) return `${open}${close}`
  return `${open}\n${items.map((i) => `${inner}${i},`).join('\n')}\n${'    '.repeat(depth)}${close}`
}

/**
 * Markdown text that shows `s` as written: one line, with every character CommonMark gives a
 * meaning (https://spec.commonmark.org/0.31.2/#backslash-escapes) backslash-escaped.
 */
export function mdText(s: string): string {
  return commentSafe(s).replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`)
}

/**
 * A word for a POSIX shell command line: as is when it is plain, else single-quoted (a quote inside
 * becomes '\''). One line, so it cannot end a Markdown code block either.
 */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(s)) return s
  return `'${commentSafe(s).replace(/'/g, `'\\''`)}'`
}

/**
 * A Markdown code span that shows `s` as written on one line: fenced with one backtick more than the
 * longest run inside, padded with a space where `s` starts or ends with a backtick
 * (https://spec.commonmark.org/0.31.2/#code-spans).
 */
export function mdCode(s: string): string {
  const text = commentSafe(s)
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}
