// Preloaded by bench/lib.mjs into each timed node process: prints its own CPU time (user + system,
// microsecond resolution) to stderr as it exits, finer than /usr/bin/time's 10 ms.
process.on('exit', () => {
  const u = process.cpuUsage()
  process.stderr.write(`\nNH_CPU ${(u.user + u.system) / 1000}\n`)
})
