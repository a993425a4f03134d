import { readFileSync } from 'node:fs';

/** Where a command reads and writes, so tests and the entry point can each supply their own. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal: progress may then redraw one line. */
  readonly errIsTty: boolean;
  /** Everything on standard input (`check -`). */
  readonly readStdin: () => Buffer;
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
    readStdin: () => readFileSync(0),
  };
}

/**
 * A one-line progress display on a terminal (redrawn in place, cleared at the end); nothing at
 * all when stderr is a file or a pipe, so CI logs and redirected output hold only results.
 */
export class Progress {
  private shown = false;

  constructor(private readonly io: Io) {}

  update(line: string): void {
    if (!this.io.errIsTty) return;
    this.io.err(`\r${line}\x1b[K`);
    this.shown = true;
  }

  /** Clears the line, so that what is printed next starts on a clean one. */
  done(): void {
    if (!this.shown) return;
    this.io.err('\r\x1b[K');
    this.shown = false;
  }
}
