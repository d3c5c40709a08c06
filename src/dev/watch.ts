import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'

export interface WatchOptions {
  /** the project folder: its .env layers live here */
  root: string
  configFile: string | undefined
  /** --env-file files, wherever they are */
  envFiles: string[]
  /** called once per burst of changes, never while an earlier call runs */
  onChange: (what: string) => Promise<void>
  debounceMs?: number
}

/**
 * Watches the config and the .env layers (a layer created later counts too: the folder is
 * watched, not the files). Editors save in bursts (write, rename, chmod): changes within
 * debounceMs make one call, and a change during a call makes one more call after it.
 */
export function watchProject(opts: WatchOptions): () => void {
  const configName = opts.configFile ? basename(opts.configFile) : undefined
  const extra = new Map(opts.envFiles.map((f) => [resolve(f), basename(f)]))
  const dirs = new Set([opts.root, ...[...extra.keys()].map((f) => dirname(f))])
  let pending: string | undefined
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let closed = false
  const fire = () => {
    timer = undefined
    if (running || closed || pending === undefined) return
    const what = pending
    pending = undefined
    running = opts.onChange(what).finally(() => {
      running = undefined
      if (pending !== undefined && !closed) timer = setTimeout(fire, opts.debounceMs ?? 100)
    })
  }
  const watchers: FSWatcher[] = []
  for (const dir of dirs) {
    const w = watch(dir, (_event, name) => {
      if (!name) return
      const file = resolve(dir, name.toString())
      const relevant =
        (dir === opts.root && (name === configName || /^\.env(\.|$)/.test(name.toString()))) ||
        extra.has(file)
      if (!relevant) return
      pending = name.toString()
      if (timer) clearTimeout(timer)
      timer = setTimeout(fire, opts.debounceMs ?? 100)
    })
    w.on('error', () => {})
    watchers.push(w)
  }
  return () => {
    closed = true
    if (timer) clearTimeout(timer)
    for (const w of watchers) w.close()
  }
}
