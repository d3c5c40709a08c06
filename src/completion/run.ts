import { resolve } from 'node:path'
import type { Command } from 'commander'
import { type Candidate, complete } from './complete.js'
import { answer, SHELLS, type Shell, splitLine } from './shells.js'

/**
 * `nself-hooks __complete <shell> ...`, what the scripts of `nself-hooks completion` call on each
 * Tab: bash passes the line up to the cursor and its own last word, zsh and fish the words
 * (unquoted) with the one under the cursor last, as typed. Prints the answer of `shells.ts`;
 * never an error or a stack trace (a shell would show it in the middle of the command line), so
 * anything that goes wrong is an empty answer.
 */
export async function answerCompletion(
  program: Command,
  args: string[],
  out: NodeJS.WritableStream,
  cwd: string,
): Promise<number> {
  try {
    const lines = await answerLines(program, args, cwd)
    out.write(`${lines.join('\n')}\n`)
  } catch {
    // nothing to offer; the shell falls back to its default
  }
  return 0
}

async function answerLines(program: Command, args: string[], cwd: string): Promise<string[]> {
  const shell = args[0] as Shell
  if (!SHELLS.includes(shell)) return []
  let words: string[]
  let current: string
  let bashWord: string | undefined
  let raw: string | undefined
  if (shell === 'bash') {
    const line = splitLine(args[1] ?? '')
    words = line.words.slice(1) // the command's own name
    current = line.current
    raw = line.raw
    bashWord = args[2] ?? ''
  } else {
    const rest = args[1] === '--' ? args.slice(2) : args.slice(1)
    words = rest.slice(0, -1)
    // the word under the cursor comes as typed, quotes and all (an open quote is not removable in zsh)
    current = splitLine(rest.at(-1) ?? '').current
  }
  const completion = complete(program, words, current)
  if (completion.names) {
    const names = await quietly(async () =>
      (await import('./names.js')).configNames(completion.names!.kind, {
        cwd: resolve(cwd, completion.cwd ?? '.'),
        config: completion.config,
      }),
    )
    completion.candidates.push(
      ...names.map((n: Candidate) => ({ value: completion.prefix + n.value, description: n.description })),
    )
  }
  return answer(shell, completion, bashWord, raw)
}

/**
 * Runs the user's config with stdout and stderr held back: a `console.log` in it would otherwise
 * land among the values. A config that throws offers no names.
 */
async function quietly(read: () => Promise<Candidate[]>): Promise<Candidate[]> {
  const streams = [process.stdout, process.stderr]
  const writes = streams.map((s) => s.write)
  for (const s of streams) s.write = (() => true) as typeof s.write
  try {
    return await read()
  } catch {
    return []
  } finally {
    streams.forEach((s, i) => {
      s.write = writes[i]!
    })
  }
}
