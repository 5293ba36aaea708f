/**
 * The only places that start Ink. Commands never write JSX: they call createProgress and
 * confirmApply (../progress.ts), which load this module only when the terminal is interactive.
 */
import { render } from 'ink';
import { ConfirmPrompt } from './confirm-prompt.js';
import { ProgressView } from './progress-view.js';
import type { ProgressStore } from './progress-store.js';

export interface MountOptions {
  stream: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  color: boolean;
  tickMs?: number;
}

export interface MountedProgress {
  /** Draws the last frame (no spinners), releases the terminal, resolves once written. */
  unmount(): Promise<void>;
}

export function mountProgress(store: ProgressStore, options: MountOptions): MountedProgress {
  const instance = render(<ProgressView store={store} color={options.color} tickMs={options.tickMs} />, {
    stdout: options.stream,
    stderr: options.stream,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    exitOnCtrlC: true,
    patchConsole: false,
  });
  const exited = instance.waitUntilExit();
  let unmounting: Promise<void> | undefined;
  return {
    unmount() {
      unmounting ??= (async () => {
        store.stop();
        // Let React draw the stopped frame ("…" where spinners were) before Ink's last frame is kept.
        await new Promise((resolve) => setImmediate(resolve));
        instance.unmount();
        await exited;
      })();
      return unmounting;
    },
  };
}

export interface AskOptions {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  color: boolean;
}

export async function askConfirmation(question: string, options: AskOptions): Promise<boolean> {
  let approved = false;
  const instance = render(<ConfirmPrompt question={question} color={options.color} onAnswer={(a) => (approved = a)} />, {
    stdout: options.stderr,
    stderr: options.stderr,
    stdin: options.stdin,
    // The prompt reads Ctrl+C itself (as "no") so that it can say "Apply cancelled." first.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
  return approved;
}
