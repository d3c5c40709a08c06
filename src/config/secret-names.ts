/**
 * The one rule for names that carry credentials (docs/architecture.md "Secrets"). A header (or an
 * env name inside a `{{ENV}}` template) named like this is secret even when nothing says so: the
 * config refuses a literal value for it, and every printed request, response or diff masks it.
 * `auth` counts only as a whole part of the name (`X-Auth-User`, `OAuth`), not inside `X-Author`.
 */
const SECRET_NAME =
  /secret|token|key|authorization|auth(?![a-z])|signature|password|passwd|cookie|credential/i

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name)
}
