import { describe, expect, it } from 'vitest'
import { validateConfig } from '../../src/config/validate.js'
import { MASK, maskHeaderRecord } from '../../src/events/secrets.js'
import { maskSecrets } from '../../src/metadata/diff.js'

/**
 * One rule decides which header names carry credentials: the config refuses a literal value under
 * such a name, and events/replay/send and diff mask its value. They must never disagree: a name
 * the config lets through with a literal value is one whose value may be printed.
 */

const refusesLiteral = (header: string): boolean =>
  validateConfig({
    service: { name: 'webhooks', template: 'express-ts', port: 3001 },
    triggers: {
      t: { table: 'users', on: { insert: true }, handler: 'ok', headers: { [header]: 'literal-value' } },
    },
  }).issues.some((i) => i.severity === 'error' && /looks secret but has a literal value/.test(i.message))

const maskedInEvents = (header: string): boolean =>
  maskHeaderRecord({ [header]: 'literal-value' }, new Set())[header] === MASK

const maskedInDiff = (header: string): boolean =>
  (maskSecrets({ name: header, value: 'literal-value' }) as { value: string }).value !== 'literal-value'

describe('one secret-name rule for config validation, event output and diffs', () => {
  const secret = [
    'X-Webhook-Secret',
    'Authorization',
    'authorization',
    'X-Api-Key',
    'X-Auth-User',
    'X-OAuth',
    'Set-Cookie',
    'Cookie',
    'X-Credential-Id',
    'X-Passwd',
    'X-Hub-Signature-256',
    'PASSWORD',
    'X-Refresh-Token',
  ]
  const plain = ['Content-Type', 'X-Request-Id', 'X-Author', 'X-Tenant', 'Accept', 'X-Hasura-Role']

  it.each(secret)('%s: a literal value is refused, and its value is masked everywhere', (header) => {
    expect(refusesLiteral(header)).toBe(true)
    expect(maskedInEvents(header)).toBe(true)
    expect(maskedInDiff(header)).toBe(true)
  })

  it.each(plain)('%s: a literal value is fine, and shown as it is', (header) => {
    expect(refusesLiteral(header)).toBe(false)
    expect(maskedInEvents(header)).toBe(false)
    expect(maskedInDiff(header)).toBe(false)
  })
})
