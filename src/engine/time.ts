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
