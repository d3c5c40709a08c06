import { pyComment, pyDoc, pyString } from './escape.js'
import { pascal, pyField } from './names.js'
import type { Field, FieldType } from './types.js'

/** Class names already taken in one payloads module part, so nested models never redefine each other. */
type Taken = Set<string>

function unique(name: string, taken: Taken): string {
  let out = name
  for (let i = 2; taken.has(out); i++) out = `${name}${i}`
  taken.add(out)
  return out
}

/**
 * FieldType → pydantic annotation text (pydantic 1.10 and 2). Nested objects (cron payloads) become
 * their own models, appended to `extra` before the model that uses them.
 */
export function pyType(t: FieldType, hint: string, extra: string[], taken: Taken = new Set()): string {
  switch (t.kind) {
    case 'string':
      return 'str'
    case 'number':
      return t.integer ? 'int' : 'float'
    case 'boolean':
      return 'bool'
    case 'null':
      return 'None'
    case 'json':
    case 'unknown':
      return 'Any'
    case 'literals':
      return t.values.length ? `Literal[${t.values.map((v) => pyString(v)).join(', ')}]` : 'str'
    case 'array':
      return `List[${pyType(t.of, `${hint}Item`, extra, taken)}]`
    case 'nullable':
      return `Optional[${pyType(t.of, hint, extra, taken)}]`
    case 'object': {
      const name = unique(hint, taken)
      extra.push(pyModel(name, t.fields, undefined, extra, taken))
      return name
    }
  }
}

/** `class Name(BaseModel)` with one annotated attribute per field; aliases where the JSON key is not a Python name. */
export function pyModel(
  name: string,
  fields: Field[],
  doc: string | undefined,
  extra: string[] = [],
  taken: Taken = new Set([name]),
): string {
  const lines = [`class ${name}(BaseModel):`]
  if (doc) lines.push(`    """${pyDoc(doc)}"""`, '')
  if (fields.length === 0) lines.push('    pass')
  // two keys may sanitise to the same attribute (`a-b`, `a_b`): later ones get a number
  const attrs = new Set<string>()
  for (const f of fields) {
    const field = pyField(f.name)
    let attr = field.attr
    for (let i = 2; attrs.has(attr); i++) attr = `${field.attr}${i}`
    attrs.add(attr)
    const alias = attr === f.name ? undefined : f.name
    const nested: string[] = []
    const ann = pyType(f.type, `${name}${pascal(f.name)}`, nested, taken)
    extra.push(...nested)
    const optional = f.type.kind === 'nullable' || f.type.kind === 'null'
    const dflt =
      alias !== undefined
        ? ` = Field(${optional ? 'None' : '...'}, alias=${pyString(alias)})`
        : optional
          ? ' = None'
          : ''
    lines.push(`    ${attr}: ${ann}${dflt}${f.comment ? `  # ${pyComment(f.comment)}` : ''}`)
  }
  return lines.join('\n')
}

/** Several models, nested ones first so every name is defined before use. */
export function pyModels(name: string, fields: Field[], doc: string | undefined): string {
  const extra: string[] = []
  const main = pyModel(name, fields, doc, extra, new Set([name]))
  return [...extra, main].join('\n\n\n')
}
