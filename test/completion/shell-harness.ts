import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { BIN } from '../helpers/bin.js'

/**
 * Runs the real shells on the script `nself-hooks completion <shell>` prints, the way each one
 * completes: bash through COMP_LINE / COMP_WORDS and COMPREPLY, zsh through its completion system
 * in a pseudo-terminal (zpty: Tab, then the line as zsh left it), fish through `complete -C`.
 * `nself-hooks` is found on PATH as a user's would be.
 */

export function hasShell(shell: string): boolean {
  return ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, shell)))
}

const binDir = mkdtempSync(join(tmpdir(), 'nh-completion-bin-'))
const shim = join(binDir, 'nself-hooks')
writeFileSync(shim, `#!/bin/sh\nexec node '${BIN.replace(/'/g, `'\\''`)}' "$@"\n`)
chmodSync(shim, 0o755)
const env = { PATH: `${binDir}:${process.env.PATH}`, HOME: binDir, NO_COLOR: '1' }

/** `'...'` for bash and zsh source text. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * COMPREPLY after Tab at the end of `line`. `word` is bash's own last word (COMP_WORDS splits at
 * `=` and `:` too: `--status=fa` ends in `fa`, `--status=` in `=`).
 */
export async function bashComplete(cwd: string, line: string, word: string): Promise<string[]> {
  const before = line
    .slice(0, line.length - word.length)
    .trim()
    .split(/\s+/)
  const source = [
    'source <(nself-hooks completion bash)',
    `COMP_LINE=${sq(line)}; COMP_POINT=\${#COMP_LINE}`,
    `COMP_WORDS=(${[...before, word].map(sq).join(' ')}); COMP_CWORD=${before.length}`,
    '_nself_hooks_complete',
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join('\n')
  const r = await execa('bash', ['--norc', '--noprofile', '-c', source], { cwd, env, reject: false })
  if (r.exitCode !== 0) throw new Error(`bash failed: ${r.stderr}`)
  return r.stdout === '' ? [] : r.stdout.split('\n')
}

/** The words bash runs when the line is entered with `reply` in place of the last word. */
export async function bashWordsOf(cwd: string, line: string, word: string, reply: string): Promise<string[]> {
  const full = line.slice(0, line.length - word.length) + reply
  const r = await execa(
    'bash',
    ['--norc', '--noprofile', '-c', `eval "set -- $1"; printf '%s\\0' "$@"`, '_', full],
    {
      cwd,
      env,
    },
  )
  return r.stdout.split('\0').slice(0, -1)
}

/** fish's own completion of `line`: each `value<TAB>description` it would offer. */
export async function fishComplete(cwd: string, line: string): Promise<string[]> {
  const r = await execa(
    'fish',
    ['--no-config', '-c', 'nself-hooks completion fish | source; complete -C $argv[1]', line],
    { cwd, env, reject: false },
  )
  if (r.exitCode !== 0) throw new Error(`fish failed: ${r.stderr}`)
  return r.stdout === '' ? [] : r.stdout.split('\n')
}

const ZSH_HARNESS = `
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z 'PS1=; unsetopt autolist; setopt nobeep; autoload -Uz compinit; compinit -u -D'
# every match zsh's completion adds, as the completion functions hand it to compadd
zpty -w z 'compadd() { if (( \${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -O hits "$@"; (( \${#hits} )) && print -rl -- $hits >> $NH_LIST; builtin compadd "$@" }'
zpty -w z "$NH_LOAD"
zpty -w z 'nh_dump() { print -r -- "$BUFFER" > $NH_BUFFER }; zle -N nh_dump; bindkey "^T" nh_dump'
zpty -w -n z "$NH_LINE"$'\\t\\x14'
for i in {1..600}; do [[ -e $NH_BUFFER ]] && break; sleep 0.1; done
zpty -d z
`

/** zsh after Tab at the end of `line`: the matches its completion offered, and the line it left. */
export async function zshComplete(
  cwd: string,
  line: string,
  /** a directory holding the script as `_nself-hooks`, put on $fpath (else it is sourced) */
  fpath?: string,
): Promise<{ matches: string[]; buffer: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nh-zsh-'))
  mkdirSync(dir, { recursive: true })
  const files = { NH_LIST: join(dir, 'list'), NH_BUFFER: join(dir, 'buffer') }
  writeFileSync(files.NH_LIST, '')
  const r = await execa('zsh', ['-f', '-c', ZSH_HARNESS], {
    cwd,
    env: {
      ...env,
      ...files,
      NH_LINE: line,
      NH_LOAD: fpath ? `fpath=(${sq(fpath)} $fpath); compinit -u -D` : 'source <(nself-hooks completion zsh)',
    },
    reject: false,
  })
  if (!existsSync(files.NH_BUFFER)) throw new Error(`zsh left no line: ${r.stderr}`)
  const list = readFileSync(files.NH_LIST, 'utf8')
  return {
    matches: list === '' ? [] : list.replace(/\n$/, '').split('\n'),
    buffer: readFileSync(files.NH_BUFFER, 'utf8').replace(/\n$/, ''),
  }
}
