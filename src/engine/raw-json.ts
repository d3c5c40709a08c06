import { randomBytes } from 'node:crypto'

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
