/** Hasura's UTCTime JSON: fraction in groups of 3 digits, trailing Z. */
export function utcJson(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z')
}
