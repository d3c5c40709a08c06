/** "Did you mean" for names a user typed: unknown keys, services. */

/** Edit distance ≤ 2 (or a prefix): enough to catch `retires` for `retry`-ish typos. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestD = 3
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase())
    if (d < bestD) {
      best = c
      bestD = d
    }
  }
  return (
    best ??
    candidates.find((c) => c.length >= 3 && word.toLowerCase().startsWith(c.slice(0, 3).toLowerCase()))
  )
}

export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}
