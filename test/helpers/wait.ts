type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>

/** Polls `fn` until it returns something truthy and returns that; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what = 'condition',
  timeoutMs = 20_000,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v as Truthy<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Resolves once `pattern` appears in `text()`; rejects when `ended()` says the producer ended first, or after `timeoutMs`. */
export async function waitForText(
  text: () => string,
  pattern: RegExp,
  ended: () => string | undefined,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const m = text().match(pattern)
    if (m) return m
    const end = ended()
    if (end !== undefined) throw new Error(`${end} before ${pattern}:\n${text()}`)
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${text()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
