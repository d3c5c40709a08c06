/**
 * Startup settings the engine reads from its env the way Hasura reads them from its own
 * (docs/hasura-compatibility.md, "Payload columns"). Read once, at start: Hasura too needs a restart
 * to change them.
 */

export const STRINGIFY_ENV = 'HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES'

/** Hasura's boolean env values (`instance FromEnv Bool`, `src-lib/Hasura/Server/Init/Env.hs`), any case. */
const TRUE = ['true', 't', 'yes', 'y']
const FALSE = ['false', 'f', 'no', 'n']

/** A setting the engine cannot start with, as Hasura refuses to start with it. */
export class EngineOptionError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
    this.name = 'EngineOptionError'
  }
}

/** HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES as Hasura reads it: unset is off, a non-boolean is refused. */
export function stringifyFromEnv(env: Record<string, string | undefined>): boolean {
  const raw = env[STRINGIFY_ENV]
  if (raw === undefined) return false
  const v = raw.toLowerCase()
  if (TRUE.includes(v)) return true
  if (FALSE.includes(v)) return false
  const shown = raw.length <= 20 ? `=${JSON.stringify(raw)}` : ''
  throw new EngineOptionError(
    `${STRINGIFY_ENV}${shown} is not a boolean Hasura accepts`,
    `set it to one of ${TRUE.join(', ')} (on) or ${FALSE.join(', ')} (off), or unset it`,
  )
}
