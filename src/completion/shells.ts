import type { Candidate, Completion } from './complete.js'

/**
 * The three shells' side of completion: the script each one loads, how it hands the command line
 * to `nself-hooks __complete`, and how the answer is quoted for it. Every shell function only
 * passes words and reads lines: no `eval`, no `compgen -W` (which expands `$(...)` in a word), so
 * a name or a typed value is never run as code. Quoting of what is inserted is the shell's own
 * (zsh's compadd, fish's completion) except in bash, which inserts COMPREPLY as it is: there
 * `bashQuote` does it.
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

/** Values a line-based answer cannot carry (a newline would split one value in two). */
const CONTROL = /\p{Cc}/u

/** A word the way bash reads it back as one word with that value: backslash before anything special. */
export function bashQuote(value: string): string {
  return value.replace(/[^A-Za-z0-9_\-.,/@%+=:]/g, '\\$&')
}

/**
 * The words of a command line up to the cursor, quotes and backslashes removed, with the raw text
 * of the last one (bash hands the line, not its words: COMP_WORDS splits at `=` and `:`). A line
 * ending in a space has an empty word under the cursor.
 */
export function splitLine(line: string): { words: string[]; current: string; raw: string } {
  const words: string[] = []
  let word = ''
  let start = -1
  let quote: "'" | '"' | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote === undefined && /\s/.test(ch)) {
      if (start >= 0) words.push(word)
      word = ''
      start = -1
      continue
    }
    if (start < 0) start = i
    if (quote === "'") {
      if (ch === "'") quote = undefined
      else word += ch
    } else if (quote === '"') {
      if (ch === '"') quote = undefined
      else if (ch === '\\' && i + 1 < line.length && '$`"\\'.includes(line[i + 1]!)) word += line[++i]
      else word += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
    } else if (ch === '\\') {
      word += line[++i] ?? ''
    } else {
      word += ch
    }
  }
  return { words, current: word, raw: start >= 0 ? line.slice(start) : '' }
}

/** The lines `__complete` prints: a first line naming paths (`:files`, `:dirs`) or `:words`, then one value per line. */
export function answer(shell: Shell, completion: Completion, bashWord?: string, rawToken?: string): string[] {
  const head = completion.paths ? `:${completion.paths}` : ':words'
  const matching = completion.candidates.filter(
    (c) => c.value.startsWith(completion.current) && !CONTROL.test(c.value),
  )
  return [head, ...matching.flatMap((c) => line(shell, c, bashWord, rawToken))]
}

function line(shell: Shell, c: Candidate, bashWord?: string, rawToken?: string): string[] {
  const description = c.description.replace(/[\s]+/g, ' ').trim()
  if (shell === 'fish') return [description ? `${c.value}\t${description}` : c.value]
  if (shell === 'zsh') {
    // _describe reads `value:description`; a colon or backslash in the value is escaped for it
    const value = c.value.replace(/[\\:]/g, '\\$&')
    return [description ? `${value}:${description}` : value]
  }
  // bash replaces only its own last word (COMP_WORDS splits `--status=fa` into `--status`, `=`, `fa`)
  const quoted = bashQuote(c.value)
  const word = bashWord ?? ''
  const token = rawToken ?? ''
  const before = token.endsWith(word) ? token.slice(0, token.length - word.length) : ''
  if (!quoted.startsWith(before)) return []
  return [quoted.slice(before.length)]
}

/** The script `nself-hooks completion <shell>` prints; `name` is the command it completes. */
export function script(shell: Shell, name: string): string {
  const fn = `_${name.replace(/[^A-Za-z0-9_]/g, '_')}_complete`
  if (shell === 'bash') return bashScript(fn, name)
  if (shell === 'zsh') return zshScript(fn, name)
  return fishScript(fn, name)
}

const bashScript = (fn: string, name: string) => `# bash completion for ${name}
# load it with: source <(${name} completion bash)   (or save it in ~/.local/share/bash-completion/completions/${name})
${fn}() {
  local line="\${COMP_LINE:0:COMP_POINT}" reply directive=
  COMPREPLY=()
  while IFS= read -r reply; do
    if [[ -z $directive ]]; then directive=$reply; else COMPREPLY+=("$reply"); fi
  done < <(${name} __complete bash "$line" "\${COMP_WORDS[COMP_CWORD]}" 2>/dev/null)
  # paths: an empty answer lets bash complete file names itself (complete -o default)
  if [[ $directive == :words ]]; then compopt +o default 2>/dev/null; fi
  return 0
}
complete -o default -F ${fn} ${name}
`

const zshScript = (fn: string, name: string) => `#compdef ${name}
# zsh completion for ${name}
# load it with: source <(${name} completion zsh)   (after compinit), or save it as _${name} in a directory of $fpath
${fn}() {
  local -a answer values
  answer=("\${(@f)$(${name} __complete zsh -- "\${(@Q)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)}")
  values=("\${(@)answer[2,-1]}")
  case \${answer[1]} in
    :files|:dirs)
      # a path glued to its flag (--config=...): complete what follows the =
      [[ $PREFIX == --*=* ]] && compset -P '*='
      if [[ \${answer[1]} == :dirs ]]; then _files -/; else _files; fi ;;
    *) (( \${#values} )) && _describe -t values '${name}' values ;;
  esac
}
if [[ \${zsh_eval_context[-1]} == *func ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`

const fishScript = (fn: string, name: string) => `# fish completion for ${name}
# load it with: ${name} completion fish | source   (or save it as ~/.config/fish/completions/${name}.fish)
function ${fn}
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l answer (command ${name} __complete fish -- $words[2..-1] "$current" 2>/dev/null)
    switch "$answer[1]"
        case :files :dirs
            # a path glued to its flag (--config=...): complete what follows the =
            set -l flag (string match -r -- '^--[^=]*=' "$current")
            set -l path (string replace -r -- '^--[^=]*=' '' "$current")
            set -l paths (__fish_complete_path "$path")
            if test "$answer[1]" = :dirs
                set paths (__fish_complete_directories "$path")
            end
            for p in $paths
                printf '%s%s\n' "$flag" "$p"
            end
        case '*'
            if set -q answer[2]
                printf '%s\\n' $answer[2..-1]
            end
    end
end
complete -c ${name} -f -a '(${fn})'
`
