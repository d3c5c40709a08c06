import { type Shell, script } from '../completion/shells.js'
import { type Context, print } from '../context.js'

export interface CompletionOptions {
  shell: Shell
}

/** `nself-hooks completion bash|zsh|fish`: prints the script that shell loads (README "Shell completion"). */
export async function completion(options: CompletionOptions, ctx: Context): Promise<number> {
  print(ctx, script(options.shell, 'nself-hooks'))
  return 0
}
