import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/project.js'

/** The README's first command must work: the main job on the example project with the embedded engine. */
describe('npm run demo', () => {
  it('generates, syncs, delivers, lists and replays, then exits 0', async () => {
    const r = await execa('node', [join(ROOT, 'scripts', 'demo.mjs')], {
      cwd: ROOT,
      reject: false,
      env: { NO_COLOR: '1' },
    })
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('Plan: 4 to create, 0 to update, 0 to delete.')
    expect(r.stdout).toMatch(/config vs server .*:\n {2}in sync/)
    expect(r.stdout).toMatch(/handler <- \/webhooks\/orders\/completed {2}order_completed UPDATE/)
    expect(r.stdout).toMatch(/1 event: 0 pending, 1 delivered, 0 failed/)
    expect(r.stdout).toMatch(/handler <- \/webhooks\/user-created {2}user_created INSERT/)
    expect(r.stdout).not.toContain('demo-admin-secret')
    expect(r.stdout).not.toContain('demo-webhook-secret')
  }, 120_000)
})
