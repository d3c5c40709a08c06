/** Hasura's UTCTime JSON: fraction in groups of 3 digits, trailing Z. */
export function utcJson(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z')
}

/** Waits for `p` at most `ms`; the timer never keeps the process alive afterwards. */
export async function atMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))])
  clearTimeout(timer)
}

/** Event log timestamps as Hasura encodes a LocalTime: fraction in groups of 3 digits, no zone. */
export function localTime(text: string | null): string | null {
  if (text === null) return null
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text)
  if (!m) return text
  let frac = (m[3] ?? '').padEnd(6, '0').slice(0, 6)
  if (/^0+$/.test(frac)) frac = ''
  else if (frac.endsWith('000')) frac = frac.slice(0, 3)
  return `${m[1]}T${m[2]}${frac ? `.${frac}` : ''}`
}
export function utcTime(text: string | null): string | null {
  const l = localTime(text)
  return l === null ? null : `${l}Z`
}
