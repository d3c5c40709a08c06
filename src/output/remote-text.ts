/**
 * Text that came from somewhere else (a webhook's answer, a server's error message, an event's
 * log) is printed through here, so a remote cannot drive the terminal: ESC, OSC 52 (clipboard
 * writes), CR overprinting and bidirectional overrides are shown as escapes instead of acting.
 * Libraries like strip-ansi remove only well-formed ANSI sequences and hide what was there; here
 * every control character stays visible, so the user sees what the remote sent.
 */

/** What `--full` turns off: remote bodies are cut at this many bytes of UTF-8. */
export const REMOTE_TEXT_LIMIT = 4096

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: 0x9B is CSI on 8-bit terminals), and the Unicode
 * marks that reorder text on screen (LRM/RLM, ALM, LRE…RLO, LRI…PDI).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0)
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`
}

/**
 * Every control character as an escape (`\x1b`, `\x07`, `\u202e`). With `multiline`, newlines and
 * tabs stay as they are (a CR only right before a newline), so a multi-line body still reads as one.
 */
export function visible(text: string, opts: { multiline?: boolean } = {}): string {
  if (!opts.multiline) return text.replace(CONTROL, escapeOne)
  return text.replace(CONTROL, (ch, offset: number, whole: string) =>
    ch === '\n' || ch === '\t' || (ch === '\r' && whole[offset + 1] === '\n') ? ch : escapeOne(ch),
  )
}

export interface CutOptions {
  /** print everything (the user passed the flag) */
  full?: boolean | undefined
  /** bytes kept; default REMOTE_TEXT_LIMIT */
  limit?: number
  /** the flag that shows all, named in the note */
  flag?: string
  /** masks secrets before the cut: a secret cut in two would slip past masking done later */
  redact?: (text: string) => string
}

/**
 * A remote body for the terminal: cut at `limit` bytes (on a character boundary) with a note
 * saying how much was left out and which flag shows it, then made visible, multi-line kept.
 */
export function remoteText(raw: string, opts: CutOptions = {}): string {
  const text = opts.redact ? opts.redact(raw) : raw
  const limit = opts.limit ?? REMOTE_TEXT_LIMIT
  const bytes = Buffer.byteLength(text, 'utf8')
  if (opts.full || bytes <= limit) return visible(text, { multiline: true })
  const buf = Buffer.from(text, 'utf8')
  let cut = limit
  while (cut > 0 && ((buf[cut] ?? 0) & 0xc0) === 0x80) cut--
  const kept = buf.subarray(0, cut).toString('utf8')
  const left = bytes - cut
  return `${visible(kept, { multiline: true })}\n… ${left} more byte${left === 1 ? '' : 's'} left out (${bytes} in all); ${opts.flag ?? '--full'} shows all`
}

/** One line of remote text (a header value, a status message): no line breaks, controls escaped. */
export function remoteLine(text: string): string {
  return visible(text)
}
