/**
 * A fresh `node` process, timed on this process's clock: the cold-start, call-count and sweep
 * scenarios all measure through it, so each is timed the same way.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface ChildRun {
  /** `performance.now()` of this process just before the spawn: stubs record calls on the same clock. */
  readonly startedAt: number;
  /** Spawn to the child's exit. */
  readonly exitMs: number;
  readonly stdout: string;
}

/** Runs `node …args`; rejects with the child's output when it exits with a failure. */
export function runNode(args: readonly string[], options: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let exitedAt: number | undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', () => (exitedAt = performance.now()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || exitedAt === undefined) reject(new Error(`node ${args.join(' ')} failed (${code}): ${stdout}${stderr}`));
      else resolve({ startedAt, exitMs: exitedAt - startedAt, stdout });
    });
  });
}

/** The JSON a child printed after `tag ` on a line of its own, if it printed one. */
export function taggedLine<T>(stdout: string, tag: string): T | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${tag} `));
  return line === undefined ? undefined : (JSON.parse(line.slice(tag.length + 1)) as T);
}
