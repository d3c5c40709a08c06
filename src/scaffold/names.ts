/** Identifier helpers shared by the emitters: one place decides how config names become code names. */

import { tsJson } from './escape.js'

const words = (s: string): string[] => s.split(/[^A-Za-z0-9]+/).filter(Boolean)

export function pascal(s: string): string {
  const out = words(s)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')
  return /^[0-9]/.test(out) ? `T${out}` : out || 'Unnamed'
}

/** Words TypeScript does not accept as a variable or parameter name (ECMAScript reserved words, strict mode). */
const TS_RESERVED = new Set(
  'arguments await break case catch class const continue debugger default delete do else enum eval export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(
    ' ',
  ),
)

export function camel(s: string): string {
  const p = pascal(s)
  const out = p[0]!.toLowerCase() + p.slice(1)
  return TS_RESERVED.has(out) ? `${out}_` : out
}

export function snake(s: string): string {
  const out = s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join('_')
    .toLowerCase()
  return /^[0-9]/.test(out) ? `h_${out}` : out || 'unnamed'
}

const TS_IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** A property key as TypeScript writes it: bare when it can be, quoted otherwise. */
export function tsKey(name: string): string {
  return TS_IDENT.test(name) ? name : tsJson(name)
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
)
/** BaseModel attributes (pydantic 1 and 2) a field must not shadow. */
const PY_RESERVED = new Set([
  'schema',
  'json',
  'dict',
  'copy',
  'fields',
  'construct',
  'validate',
  'parse_obj',
  'parse_raw',
  'parse_file',
  'from_orm',
  'update_forward_refs',
  'schema_json',
  'model_config',
  'model_fields',
  'model_dump',
  'model_validate',
  'model_construct',
  'model_copy',
  'model_extra',
])

/** A Python module name for a handler path segment: `user-created` → `user_created`, `class` → `class_`. */
export function pyModuleName(segment: string): string {
  const out = snake(segment)
  return PY_KEYWORDS.has(out) ? `${out}_` : out
}

/** A Python attribute for a JSON key; `alias` is set when the two differ. */
export function pyField(name: string): { attr: string; alias?: string } {
  let attr = name.replace(/[^A-Za-z0-9_]/g, '_')
  if (/^[0-9]/.test(attr)) attr = `f_${attr}`
  if (attr.startsWith('_')) attr = `f${attr}`
  if (PY_KEYWORDS.has(attr) || PY_RESERVED.has(attr)) attr = `${attr}_`
  return attr === name ? { attr } : { attr, alias: name }
}

/** Handler route → file segments: `scheduled/daily-report` → ['scheduled', 'daily-report']. */
export function handlerSegments(handler: string): string[] {
  return handler
    .split('/')
    .map((s) => s.trim())
    .filter((s) => s && s !== '.' && s !== '..')
}
