/** Where a command writes, so tests and the entry point can each supply their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal: progress may then redraw one line. */
  readonly errIsTty: boolean;
}

export function processIo(): Io {
  // `sg-sentry check … | head` closes stdout early: stop quietly instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    errIsTty: process.stderr.isTTY === true,
  };
}
