import { randomBytes } from 'node:crypto'
import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json'

/**
 * JSON text sent as it is inside an answer: an event's stored payload keeps the exact digits of
 * an int8 beyond 2^53 or a long numeric, as Hasura answers pg_get_event_logs (JSON.parse would
 * round them). JSON.stringify writes a placeholder (toJSON); `stringify` splices the text in.
 */
const NONCE = randomBytes(9).toString('base64url')
const PLACEHOLDER = new RegExp(`"\\\\u0000${NONCE}:(\\d+)"`, 'g')
let texts: string[] = []

export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `\u0000${NONCE}:${texts.push(this.text) - 1}`
  }
}

/** JSON.stringify, with every RawJson's text in place. */
export function stringify(value: unknown): string {
  texts = []
  try {
    const text = JSON.stringify(value)
    return texts.length === 0 ? text : text.replace(PLACEHOLDER, (_, i: string) => texts[Number(i)] ?? 'null')
  } finally {
    texts = []
  }
}

/** Commands whose `args.payload` is stored as the caller wrote it (pg_invoke_event_trigger, create_scheduled_event). */
const PAYLOAD_COMMANDS =
  /^((pg|citus|cockroach|mssql|bigquery)_)?invoke_event_trigger$|^create_scheduled_event$/

/**
 * Puts back the digits JSON.parse rounded in the payloads of a request: an int8 beyond 2^53 or a
 * long numeric a caller sends to pg_invoke_event_trigger or create_scheduled_event is stored as
 * sent, as Hasura (which parses numbers as Scientific) stores it. `body` is `JSON.parse(text)`;
 * commands inside `bulk` are covered.
 */
export function keepPayloadDigits(text: string, body: unknown): void {
  if (!/invoke_event_trigger|create_scheduled_event/.test(text)) return
  let exact: unknown
  try {
    exact = losslessParse(text)
  } catch {
    return // e.g. a duplicate key, which JSON.parse takes: the payload stays as parsed
  }
  const walk = (plain: unknown, lossless: unknown) => {
    if (!isObject(plain) || !isObject(lossless)) return
    if (Array.isArray(plain.args) && Array.isArray(lossless.args)) {
      for (const [i, q] of plain.args.entries()) walk(q, lossless.args[i])
    } else if (typeof plain.type === 'string' && PAYLOAD_COMMANDS.test(plain.type)) {
      const a = plain.args
      const b = lossless.args
      if (isObject(a) && isObject(b) && 'payload' in b) {
        const t = losslessStringify(b.payload)
        if (t !== undefined && t !== JSON.stringify(a.payload)) a.payload = new RawJson(t)
      }
    }
  }
  walk(body, exact)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}
