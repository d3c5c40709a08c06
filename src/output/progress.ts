import type { Context } from '../context.js'

export interface Progress {
  /** one item finished */
  tick(ok: boolean): void
  /** clears the bar (terminal) or prints the last line (plain) */
  done(): void
}

const WIDTH = 28

/**
 * A one-line bar redrawn in place on a terminal; plain lines (about every 10%) otherwise, so CI
 * logs stay readable. No dependency: a bar is twenty lines.
 */
export function createProgress(ctx: Context, total: number, label: string): Progress {
  let ok = 0
  let failed = 0
  const started = Date.now()
  const line = () => {
    const n = ok + failed
    const rate = n / Math.max((Date.now() - started) / 1000, 0.001)
    return `${n}/${total} ${label}${failed > 0 ? `, ${failed} failed` : ''} (${rate.toFixed(0)}/s)`
  }
  if (ctx.isTTY) {
    let last = 0
    const draw = (force: boolean) => {
      const now = Date.now()
      if (!force && now - last < 80) return
      last = now
      const n = ok + failed
      const filled = total === 0 ? WIDTH : Math.round((n / total) * WIDTH)
      ctx.stdout.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${line()}`)
    }
    draw(true)
    return {
      tick(success) {
        if (success) ok++
        else failed++
        draw(ok + failed === total)
      },
      done() {
        ctx.stdout.write('\r\x1b[2K')
      },
    }
  }
  const step = Math.max(1, Math.ceil(total / 10))
  let printed = -1
  return {
    tick(success) {
      if (success) ok++
      else failed++
      const n = ok + failed
      if (n % step === 0 || n === total) {
        printed = n
        ctx.stdout.write(`${line()}\n`)
      }
    },
    done() {
      if (printed !== ok + failed && ok + failed > 0) ctx.stdout.write(`${line()}\n`)
    },
  }
}
