import type { Argument, Command, Option } from 'commander'
import { hintOf, type ValueHint } from './values.js'

/**
 * What the word under the cursor completes to, from the commander program itself: its commands,
 * their flags and arguments, `.choices()` and the hints of `values.ts`. Pure: names from the
 * config are asked for (`names`) and filled in by the caller, so completing a command or a flag
 * loads nothing else.
 */

export interface Candidate {
  value: string
  description: string
}

export interface Completion {
  candidates: Candidate[]
  /** the shell completes paths itself */
  paths?: 'files' | 'dirs'
  /** names from the project's config are wanted too (each offered as `prefix + name`) */
  names?: ValueHint
  /** what a name is put after: `--trigger=` when completing inside one word */
  prefix: string
  /** the word being completed, as the user means it (quotes removed) */
  current: string
  /** the global `--cwd` / `--config` given before the cursor, to find the config the user means */
  cwd?: string
  config?: string
}

/** One line of help text: the shells show descriptions on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function visibleOptions(command: Command): Option[] {
  return command.createHelp().visibleOptions(command)
}

function findOption(commands: Command[], word: string): Option | undefined {
  for (const command of commands) {
    const found = command.options.find((o) => o.long === word || o.short === word)
    if (found) return found
  }
  return undefined
}

function takesValue(option: Option): boolean {
  return option.required || option.optional
}

/** `--status <status>` with `.choices()`, marked names, or a path. */
function valueCompletion(target: Option | Argument, prefix: string, current: string): Completion {
  const choices = target.argChoices ?? []
  const out: Completion = {
    candidates: choices.map((value) => ({ value: prefix + value, description: '' })),
    prefix,
    current,
  }
  const hint = hintOf(target)
  if (hint?.kind === 'files' || hint?.kind === 'dirs') out.paths = hint.kind
  else if (hint) {
    out.names = hint
    for (const word of hint.words ?? []) out.candidates.push({ value: prefix + word, description: '' })
  }
  return out
}

/**
 * `words` are the words after the program's name before the cursor, `current` the one under it
 * (both with the shell's quoting removed).
 */
export function complete(program: Command, words: string[], current: string): Completion {
  let command = program
  const positional: string[] = []
  let pending: Option | undefined
  let globals: { cwd?: string; config?: string } = {}
  let endOfOptions = false
  let help = false
  for (const word of words) {
    if (pending) {
      if (pending.long === '--cwd') globals = { ...globals, cwd: word }
      if (pending.long === '--config') globals = { ...globals, config: word }
      pending = undefined
      continue
    }
    if (!endOfOptions && word === '--') {
      endOfOptions = true
      continue
    }
    if (!endOfOptions && word.startsWith('-') && word !== '-') {
      const [flag, inline] = splitInline(word)
      const option = findOption([command, program], flag)
      // the next word is this flag's value (an optional value, `[x]`, is not waited for)
      if (option?.required && inline === undefined) pending = option
      if (option?.long === '--cwd' && inline !== undefined) globals = { ...globals, cwd: inline }
      if (option?.long === '--config' && inline !== undefined) globals = { ...globals, config: inline }
      continue
    }
    if (command === program && !help) {
      const sub = program.commands.find((c) => c.name() === word || c.aliases().includes(word))
      // commander's own `help [command]` is not in program.commands
      if (word === 'help' && !sub) help = true
      else if (!sub) return { candidates: [], prefix: '', current }
      else command = sub
      continue
    }
    positional.push(word)
  }
  const result = (c: Completion): Completion => ({ ...c, ...globals })

  if (pending) return result(valueCompletion(pending, '', current))

  if (!endOfOptions && current.startsWith('-')) {
    const [flag, inline] = splitInline(current)
    if (inline !== undefined) {
      const option = findOption([command, program], flag)
      if (!option || !takesValue(option)) return result({ candidates: [], prefix: '', current })
      return result(valueCompletion(option, `${flag}=`, current))
    }
    const options =
      command === program
        ? visibleOptions(program)
        : [...visibleOptions(command), ...visibleOptions(program).filter((o) => o.long !== '--version')]
    const candidates: Candidate[] = []
    for (const option of options) {
      for (const flag of [option.long, option.short]) {
        if (flag && !candidates.some((c) => c.value === flag)) {
          candidates.push({ value: flag, description: oneLine(option.description) })
        }
      }
    }
    return result({ candidates, prefix: '', current })
  }

  if (command === program) {
    if (help && positional.length > 0) return result({ candidates: [], prefix: '', current })
    const candidates = program
      .createHelp()
      .visibleCommands(program)
      .filter((c) => !help || c.name() !== 'help')
      .map((c) => ({ value: c.name(), description: oneLine(c.summary() || c.description()) }))
    return result({ candidates, prefix: '', current })
  }

  const args = command.registeredArguments
  const last = args[args.length - 1]
  const argument = args[positional.length] ?? (last?.variadic ? last : undefined)
  if (!argument) return result({ candidates: [], prefix: '', current })
  return result(valueCompletion(argument, '', current))
}

/** `--status=failed` → [`--status`, `failed`]; `--status` → [`--status`, undefined]. */
function splitInline(word: string): [string, string | undefined] {
  const at = word.indexOf('=')
  if (!word.startsWith('--') || at < 0) return [word, undefined]
  return [word.slice(0, at), word.slice(at + 1)]
}
