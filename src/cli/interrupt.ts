/**
 * Ctrl-C for every command, with or without a terminal. The first SIGINT aborts the running
 * command's signal: its clients drop the requests not yet sent, the ones in flight finish, and
 * the command reports what it did and exits 130. A second SIGINT exits at once.
 */

let running: AbortController | undefined;

/** The running command's Ctrl-C signal; undefined when the CLI's entry point didn't install one (tests). */
export function interruptSignal(): AbortSignal | undefined {
  return running?.signal;
}

/** Catch SIGINT for one command; the returned function restores Node's default. */
export function watchInterrupts(err: (text: string) => void): () => void {
  const controller = new AbortController();
  running = controller;
  const onSigint = (): void => {
    if (!controller.signal.aborted) {
      controller.abort();
      return;
    }
    err(
      '\nInterrupted again: exiting now. Requests that were in flight may or may not have reached Okta; `org2org plan` shows where things stand.\n',
    );
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return () => {
    process.off('SIGINT', onSigint);
    if (running === controller) running = undefined;
  };
}
