import { UserError } from '../errors.js'
import type { DeliveryStatus } from './log.js'

/** The statuses `events --status` and the console filter by, in the order they are counted. */
export const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed']

export function parseStatus(value: string | undefined): DeliveryStatus | undefined {
  if (value === undefined) return undefined
  if ((STATUSES as string[]).includes(value)) return value as DeliveryStatus
  throw new UserError(`--status ${value} is not one of ${STATUSES.join(', ')}`, {
    hint: 'use --status pending, --status delivered or --status failed',
  })
}

export function parseCount(value: string | number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isInteger(n) || n <= 0) {
    throw new UserError(`${flag} ${value} is not a positive whole number`, { hint: `for example ${flag} 50` })
  }
  return n
}
