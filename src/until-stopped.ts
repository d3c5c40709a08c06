/**
 * Resolves when a long-running command (`dev`, `console`) should stop: when `signal` aborts
 * (tests and library callers), else on Ctrl-C (SIGINT) or SIGTERM.
 */
export function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal) {
      if (signal.aborted) return resolve()
      signal.addEventListener('abort', () => resolve(), { once: true })
      return
    }
    const done = () => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.on('SIGINT', done)
    process.on('SIGTERM', done)
  })
}
