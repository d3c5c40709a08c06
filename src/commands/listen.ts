import type { Context } from '../context.js'
import { type ListenOptions, listen as run } from '../dev/listen.js'

/** `nself-hooks listen`: the logic lives in src/dev/listen.ts. */
export function listen(opts: ListenOptions, ctx: Context): Promise<number> {
  return run(opts, ctx)
}
