import type { Context } from '../context.js'
import { UserError } from '../errors.js'

// issue 4: in progress
export async function diff(_options: Record<string, unknown>, _ctx: Context): Promise<number> {
  throw new UserError('nself-hooks diff is not finished yet')
}
