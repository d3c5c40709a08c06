import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { ROOT } from './project.js'

/** The built binary (bin/nself-hooks.js, needs `npm run build`) as a child process: for *.slow.test.ts only. */

export const BIN = join(ROOT, 'bin', 'nself-hooks.js')

/** Whether the CLI's bundle that BIN runs is built (`npm run build`, docs/architecture.md "Build"). */
export const BUILT = existsSync(join(ROOT, 'dist', 'bundle', 'cli.js'))

/** Runs the built CLI as a user would; never throws on a non-zero exit. */
export async function runBin(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const r = await execa('node', [BIN, ...args], {
    cwd: opts.cwd,
    env: { NO_COLOR: '1', ...opts.env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
  })
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) }
}
