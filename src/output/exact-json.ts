import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json'

/**
 * JSON with every number's digits kept: an int8 beyond 2^53 or a numeric like
 * 12345678901234567890.123456789 from an event payload is never rounded through a JavaScript
 * number. A number whose text a JavaScript number spells the same way becomes a number; any other
 * stays a LosslessNumber holding its text, which `stringifyExact` writes back as it came.
 */
export function parseExact(text: string): unknown {
  return parse(text, null, (s) => (String(Number(s)) === s ? Number(s) : new LosslessNumber(s)))
}

/** JSON.stringify that writes a LosslessNumber's digits as they were read. */
export function stringifyExact(value: unknown, space?: number): string {
  return stringify(value, null, space) ?? 'null'
}

/** A number `parseExact` kept as text: a value to copy as it is, never an object to walk into. */
export function isExactNumber(value: unknown): boolean {
  return isLosslessNumber(value)
}
