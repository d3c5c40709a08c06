import * as z from 'zod'
import { ApiError, parseFailed } from '../errors.js'

// ---------------------------------------------------------------------------------------------
// Parsing with Hasura's messages. zod checks shapes; the messages are aeson's, so a client that
// matches on them sees what Hasura would say.

export function describe(v: unknown): string {
  if (v === null) return 'Null'
  if (Array.isArray(v)) return 'Array'
  switch (typeof v) {
    case 'string':
      return 'String'
    case 'number':
      return 'Number'
    case 'boolean':
      return 'Boolean'
    default:
      return 'Object'
  }
}

function jsonPath(base: string, path: readonly PropertyKey[]): string {
  let p = base
  for (const k of path)
    p +=
      typeof k === 'number'
        ? `[${k}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(k))
          ? `.${String(k)}`
          : `['${String(k)}']`
  return p
}

/** zod result → ApiError(parse-failed) with aeson-like message and path. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, base = '$.args'): T {
  try {
    return parseOrThrow(schema, input, base)
  } catch (err) {
    if (err instanceof ApiError) err.fromArgs = true
    throw err
  }
}

const transformShape = z
  .object({
    content_type: z.unknown().optional(),
    request_headers: z.object({ remove_headers: z.unknown().optional() }).loose().nullish().catch(undefined),
  })
  .loose()

/** Hasura's checks on a request transform (legacy `transform` too). */
export function checkTransform(t: unknown, path: string): void {
  const parsed = transformShape.safeParse(t)
  if (!parsed.success) return
  const o = parsed.data
  const fail = (msg: string, p: string) => {
    const e = parseFailed(msg, p)
    e.fromArgs = true
    throw e
  }
  if (
    o.content_type !== undefined &&
    (typeof o.content_type !== 'string' ||
      !['application/json', 'application/x-www-form-urlencoded'].includes(o.content_type))
  )
    fail('Invalid ContentType', `${path}.content_type`)
  const remove = o.request_headers?.remove_headers
  if (Array.isArray(remove))
    remove.forEach((h: unknown, i: number) => {
      if (typeof h === 'string' && h.toLowerCase() === 'content-type')
        fail(`Restricted Header: ${h}`, `${path}.request_headers.remove_headers[${i}]`)
    })
}

/** The value at a zod issue path inside the input. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<PropertyKey, unknown>)[k]
  }
  return v
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, base: string): T {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const path = issue.path
  if (issue.code === 'custom') {
    throw parseFailed(issue.message, jsonPath(base, path))
  }
  // locate the offending value
  const last = path[path.length - 1]
  const value = valueAt(input, path)
  if (value === undefined && last !== undefined && typeof last === 'string') {
    throw parseFailed(`key "${last}" not found`, jsonPath(base, path.slice(0, -1)))
  }
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    const expected = issue.code === 'invalid_type' ? issue.expected : 'value'
    const exp =
      expected === 'string'
        ? 'parsing Text failed, expected String'
        : expected === 'number' || expected === 'int'
          ? 'parsing Int failed, expected Number'
          : expected === 'boolean'
            ? 'parsing Bool failed, expected Boolean'
            : expected === 'array'
              ? 'parsing [] failed, expected Array'
              : expected === 'object'
                ? 'parsing object failed, expected Object'
                : 'parsing failed'
    throw parseFailed(`${exp}, but encountered ${describe(value)}`, jsonPath(base, path))
  }
  throw parseFailed(issue.message, jsonPath(base, path))
}
