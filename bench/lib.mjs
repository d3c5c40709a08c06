// Shared by the bench scripts: timing a CLI run (wall, CPU and peak memory via /usr/bin/time when
// present), medians, and one machine-readable line per figure that bench/run.mjs gathers into the
// table. Each figure is printed beside a baseline measured in the same run, so a loaded machine
// moves both.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const BIN = join(ROOT, 'bin', 'nself-hooks.js')
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined

/**
 * Runs `node <args>` once; returns wall ms, CPU ms (user + sys of the child) and peak RSS in MB.
 * CPU time is what the table compares when the machine is shared: it barely moves with load.
 */
export function runNode(args, { cwd = ROOT, env = {}, expectCode = 0 } = {}) {
  const fullEnv = { ...process.env, NO_COLOR: '1', ...env }
  const t0 = performance.now()
  const node = [process.execPath, '--require', join(ROOT, 'bench', 'cpu-at-exit.cjs'), ...args]
  const r = TIME
    ? spawnSync(TIME, ['-f', '\nNH_TIME %U %S %M', ...node], {
        cwd,
        env: fullEnv,
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      })
    : spawnSync(node[0], node.slice(1), { cwd, env: fullEnv, encoding: 'utf8', maxBuffer: 1 << 28 })
  const wall = performance.now() - t0
  if (expectCode !== undefined && r.status !== expectCode) {
    throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  const m = /NH_TIME (\S+) (\S+) (\d+)\s*$/.exec(r.stderr ?? '')
  const own = /NH_CPU (\S+)/.exec(r.stderr ?? '')
  return {
    wall,
    // the process's own CPU time, else (no exit hook ran) what /usr/bin/time measured
    cpu: own ? Number(own[1]) : m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN,
    rssMb: m ? Number(m[3]) / 1024 : Number.NaN,
    stdout: r.stdout,
    stderr: (r.stderr ?? '').replace(/\nNH_CPU \S+\n/, '').replace(/\nNH_TIME .*$/, ''),
  }
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** Median wall, CPU and max RSS of `runs` runs; `prepare()` runs before each (untimed). */
export function repeat(runs, prepare, args, opts) {
  const rs = []
  for (let i = 0; i < runs; i++) {
    const o = prepare ? { ...opts, ...prepare(i) } : opts
    rs.push(runNode(args, o))
  }
  return {
    wall: median(rs.map((r) => r.wall)),
    cpu: median(rs.map((r) => r.cpu)),
    rssMb: Math.max(...rs.map((r) => r.rssMb)),
    last: rs[rs.length - 1],
  }
}

/**
 * Like `repeat` for several commands at once, run in turns (a, b, c, a, b, c, ...): a baseline
 * and the figures beside it then see the same moments of a shared machine's load, which a block of
 * runs each does not. `specs`: name → { args, prepare?, opts? }; returns name → `repeat`'s result.
 */
export function interleave(runs, specs) {
  const all = Object.fromEntries(Object.keys(specs).map((k) => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [name, { args, prepare, opts }] of Object.entries(specs)) {
      all[name].push(runNode(args, prepare ? { ...opts, ...prepare(i) } : opts))
    }
  }
  return Object.fromEntries(
    Object.entries(all).map(([name, rs]) => [
      name,
      {
        wall: median(rs.map((r) => r.wall)),
        cpu: median(rs.map((r) => r.cpu)),
        rssMb: Math.max(...rs.map((r) => r.rssMb)),
        last: rs[rs.length - 1],
      },
    ]),
  )
}

/**
 * One row of the table. `value` and `baseline` are in `unit`; `ratio` defaults to value/baseline;
 * `goal` is the target in words and `ok` whether this run meets it.
 */
export function row(r) {
  const ratio = r.ratio ?? (r.baseline ? r.value / r.baseline : undefined)
  const full = { ...r, ratio }
  console.log(`NH_BENCH_ROW ${JSON.stringify(full)}`)
  return full
}

export function fmt(v, unit) {
  if (v === undefined || v === null || Number.isNaN(v)) return '-'
  if (unit === 'ms') return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`
  if (unit === 'MB') return `${Math.round(v)} MB`
  return `${Math.round(v * 100) / 100}${unit ? ` ${unit}` : ''}`
}

export function load() {
  return loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')
}

export function version() {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version
}

/** An HTTP proxy in front of `target` that counts requests by path (and metadata API `type`). */
export async function countingProxy(target) {
  const http = await import('node:http')
  const to = new URL(target)
  const counts = { total: 0, byType: {} }
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      counts.total++
      let type = req.url
      try {
        type = `${req.url} ${JSON.parse(body.toString()).type ?? ''}`.trim()
      } catch {}
      counts.byType[type] = (counts.byType[type] ?? 0) + 1
      const up = http.request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers)
          r.pipe(res)
        },
      )
      up.on('error', (e) => {
        res.writeHead(502)
        res.end(String(e))
      })
      up.end(body)
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    counts,
    reset() {
      counts.total = 0
      counts.byType = {}
    },
    close: () => {
      server.closeAllConnections()
      return new Promise((r) => server.close(r))
    },
  }
}

/** Whether PostgreSQL answers at `url` (the benches skip their PostgreSQL rows otherwise). */
export async function reachable(url) {
  const { default: pg } = await import('pg')
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await c.connect()
    return true
  } catch {
    return false
  } finally {
    await c.end().catch(() => {})
  }
}
