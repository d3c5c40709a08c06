import { spawn } from 'node:child_process'
import type { Context, GlobalOptions } from '../context.js'
import { print } from '../context.js'
import { UserError } from '../errors.js'
import { waitForStop } from '../until-stopped.js'

export interface ConsoleOptions extends GlobalOptions {
  /** default 0: any free port */
  port?: string | number
  /** false with --no-open */
  open?: boolean
  /** stops the server when aborted; without it, SIGINT / SIGTERM do */
  signal?: AbortSignal
  /** called once the console listens (tests) */
  onReady?: (info: { url: string; signInUrl: string }) => void
}

/** `nself-hooks console`: the events console in the browser until interrupted. */
export async function runConsole(opts: ConsoleOptions, ctx: Context): Promise<number> {
  const port = opts.port === undefined ? 0 : Number(opts.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`--port must be a number from 0 to 65535, got ${String(opts.port)}`, {
      hint: 'for example --port 4580, or --port 0 for a free one',
    })
  const { startConsole } = await import('../console/index.js')
  let running: Awaited<ReturnType<typeof startConsole>>
  try {
    running = await startConsole({ ...opts, port }, ctx)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UserError(`port ${port} is already in use`, {
        hint: 'pick another with --port, or --port 0 for a free one',
        cause: err,
      })
    throw err
  }
  print(ctx, 'nself-hooks console (the admin secret stays in this process); open:')
  print(ctx, running.signInUrl)
  print(ctx, 'Press Ctrl+C to stop.')
  if (opts.open !== false) openBrowser(running.signInUrl, ctx)
  opts.onReady?.({ url: running.url, signInUrl: running.signInUrl })
  try {
    await waitForStop(opts.signal)
  } finally {
    await running.stop()
  }
  return 0
}

/** On a desktop only; a failure to open is not an error (the URL is printed). */
function openBrowser(url: string, ctx: Context): void {
  const platform = process.platform
  const cmd =
    platform === 'darwin'
      ? ['open', url]
      : platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ctx.env.DISPLAY || ctx.env.WAYLAND_DISPLAY
          ? ['xdg-open', url]
          : undefined
  if (!cmd) return
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore', detached: true })
    child.on('error', () => {})
    child.unref()
  } catch {}
}
