import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, BUILT } from '../helpers/bin.js'
import { testdir } from '../helpers/project.js'

/**
 * `nself-hooks ... | head -1`: the reader goes away after one line while the CLI still has output
 * to write. The CLI must end quietly (no EPIPE stack trace) with the command's own exit code.
 */

const built = BUILT

/** Runs the built CLI with stdout read by a reader that closes after the first line. */
function firstLineThenClose(args: string[], cwd: string) {
  return new Promise<{ first: string; stderr: string; code: number | null; signal: string | null }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      let first = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8')
        const nl = out.indexOf('\n')
        if (nl >= 0 && !first) {
          first = out.slice(0, nl)
          child.stdout.destroy() // what `head -1` does: close the read end of the pipe
        }
      })
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8')
      })
      child.on('error', reject)
      child.on('close', (code, signal) => resolve({ first, stderr, code, signal }))
    },
  )
}

describe.skipIf(!built)('output piped into a reader that stops early', () => {
  it('generate --dry-run of a big config into `head -1`: quiet, exit 0', async () => {
    // about 100 KB of diff: more than a pipe holds, so writes are still pending when the reader goes
    const triggers = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [
        `trigger_${i}`,
        { table: `table_${i}`, on: { insert: true }, webhook: `http://hooks.example.com/h${i}` },
      ]),
    )
    const dir = testdir({ 'webhooks.config.ts': `export default ${JSON.stringify({ triggers })}\n` })
    const r = await firstLineThenClose(['generate', '--dry-run'], dir)
    expect(r.first).toMatch(/^--- a\/hasura\/metadata\//)
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /)
    expect(r.stderr).toBe('')
    expect(r.signal).toBeNull()
    expect(r.code).toBe(0)
    // and nothing was written: a dry run stays one when its output goes nowhere
    expect(existsSync(join(dir, 'hasura'))).toBe(false)
  })
})
