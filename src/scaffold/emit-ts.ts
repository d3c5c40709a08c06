import { tsComment, tsJson } from './escape.js'
import { tsKey } from './names.js'
import type { Field, FieldType } from './types.js'

/** FieldType → TypeScript type text. `Json` is declared in the generated runtime. */
export function tsType(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'string'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'json':
      return 'Json'
    case 'unknown':
      return 'unknown'
    case 'literals':
      return t.values.length ? t.values.map((v) => tsJson(v)).join(' | ') : 'string'
    case 'array': {
      const inner = tsType(t.of)
      return /[ |]/.test(inner) ? `Array<${inner}>` : `${inner}[]`
    }
    case 'nullable':
      return `${tsType(t.of)} | null`
    case 'object':
      return `{ ${t.fields.map((f) => `${tsKey(f.name)}: ${tsType(f.type)}`).join('; ')} }`
  }
}

/** FieldType → zod schema text (zod 4). `jsonValue` and `numberOrDecimalString` are declared in the generated runtime. */
export function zodExpr(t: FieldType): string {
  switch (t.kind) {
    case 'string':
      return 'z.string()'
    case 'number':
      return t.text ? 'numberOrDecimalString' : 'z.number()'
    case 'boolean':
      return 'z.boolean()'
    case 'null':
      return 'z.null()'
    case 'json':
      return 'jsonValue'
    case 'unknown':
      return 'z.unknown()'
    case 'literals':
      return t.values.length ? `z.enum([${t.values.map((v) => tsJson(v)).join(', ')}])` : 'z.string()'
    case 'array':
      return `z.array(${zodExpr(t.of)})`
    case 'nullable':
      return `${zodExpr(t.of)}.nullable()`
    case 'object':
      return `z.object({ ${t.fields.map((f) => `${tsKey(f.name)}: ${zodExpr(f.type)}`).join(', ')} })`
  }
}

/** `export interface X { ... }` plus `export const XSchema: z.ZodType<X> = z.object({ ... })`. */
export function tsObject(name: string, fields: Field[], doc: string): string {
  const props = fields.map(
    (f) => `${f.comment ? `  /** ${tsComment(f.comment)} */\n` : ''}  ${tsKey(f.name)}: ${tsType(f.type)}`,
  )
  const schema = fields.map((f) => `  ${tsKey(f.name)}: ${zodExpr(f.type)},`)
  return [
    `/** ${tsComment(doc)} */`,
    `export interface ${name} {`,
    ...props,
    '}',
    `export const ${name}Schema: z.ZodType<${name}> = z.object({`,
    ...schema,
    '})',
  ].join('\n')
}

/** A row whose columns are unknown (no column cache): any JSON object. */
export function tsOpenObject(name: string, doc: string): string {
  return [
    `/** ${tsComment(doc)} */`,
    `export type ${name} = { [column: string]: Json }`,
    `export const ${name}Schema: z.ZodType<${name}> = z.record(z.string(), jsonValue)`,
  ].join('\n')
}
