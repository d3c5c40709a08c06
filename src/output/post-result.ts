import type { Context } from '../context.js'
import { print } from '../context.js'
import { printJson } from './json.js'
import { type CutOptions, remoteText } from './remote-text.js'
import { colors } from './report.js'

/**
 * A POST to a handler (`send`, `replay --to`) as the renderer reads it: the fields of the events
 * stage's `PostOutcome` this file prints. The URL and header values arrive masked.
 */
export interface PostedRequest {
  url: string
  label: string
  sent: unknown
  status: number
  ok: boolean
  ms: number
  response: { headers: Record<string, string>; body: string }
}

/** Prints what was posted and what the handler answered; returns the exit code (0 on 2xx). */
export function printPosted(
  ctx: Context,
  r: PostedRequest,
  o: { json: boolean | undefined } & Pick<CutOptions, 'full' | 'redact'>,
): number {
  if (o.json) {
    const { url, sent, status, ok, ms, response } = r
    printJson(ctx, { url, sent, status, ok, ms, response })
    return r.ok ? 0 : 1
  }
  const c = colors(ctx)
  const id = (r.sent as { id?: string }).id
  print(ctx, `→ POST ${r.url}  (${r.label}, event ${id})`)
  print(
    ctx,
    `${r.ok ? c.green('←') : c.red('←')} HTTP ${r.status} in ${r.ms} ms${r.ok ? '' : ' (Hasura would count this as a failure: only 2xx is success)'}`,
  )
  // the handler's answer is the remote's text: shown, never acted on by the terminal
  if (r.response.body) print(ctx, remoteText(r.response.body, { full: o.full, redact: o.redact }))
  return r.ok ? 0 : 1
}

/** `warning <message>` on stderr, for warnings a library call reports as they happen. */
export function warner(ctx: Context): (message: string) => void {
  const c = colors(ctx)
  return (m) => ctx.stderr.write(`${c.yellow('warning')} ${m}\n`)
}
