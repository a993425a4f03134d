/**
 * Runs the built Lambda bundle the way Lambda does: a fresh node process loads
 * `dist/function/index.js` (so its cold-start code and the environment contract run for real)
 * and calls `handler(event, context)` once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BUNDLE = join(__dirname, '..', '..', '..', 'dist', 'function', 'index.js');

const RESULT = 'SG_SENTRY_RESULT ';
const THROWN = 'SG_SENTRY_THROWN ';
const KILL_AFTER_MS = 45_000;

export interface RunOptions {
  /** What the context's `getRemainingTimeInMillis` counts down from (default 60 s). */
  readonly remainingMs?: number;
  /** The context's `invokedFunctionArn`, which names the function's own account. */
  readonly functionArn?: string;
}

export interface BundleRun {
  /** What the handler returned, or undefined when it threw or the bundle failed to load. */
  readonly result: any;
  /** The error the handler threw (Lambda would retry), if it did. */
  readonly thrown: { readonly name: string; readonly message: string } | undefined;
  /** The function's JSON log lines, in order. */
  readonly logs: Record<string, any>[];
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

const CHILD = `
const { handler } = require(process.argv[1]);
const deadline = Date.now() + Number(process.argv[2]);
const context = {
  awsRequestId: 'sg-sentry-integration',
  getRemainingTimeInMillis: () => deadline - Date.now(),
  ...(process.argv[3] ? { invokedFunctionArn: process.argv[3] } : {}),
};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  handler(JSON.parse(input), context).then(
    (result) => { process.stdout.write('\\n${RESULT}' + JSON.stringify(result) + '\\n'); },
    (error) => { process.stdout.write('\\n${THROWN}' + JSON.stringify({ name: error?.name, message: error?.message }) + '\\n'); process.exitCode = 3; },
  );
});`;

/** `env` is the child's whole environment: nothing of this process's leaks in. */
export function runBundle(event: unknown, env: Record<string, string>, options: RunOptions = {}): Promise<BundleRun> {
  return new Promise((resolve, reject) => {
    const args = ['-e', CHILD, BUNDLE, String(options.remainingMs ?? 60_000), options.functionArn ?? ''];
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const lines = stdout.split('\n');
      const tagged = (tag: string) => {
        const line = lines.find((l) => l.startsWith(tag));
        return line === undefined ? undefined : JSON.parse(line.slice(tag.length));
      };
      const logs = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
      resolve({ result: tagged(RESULT), thrown: tagged(THROWN), logs, stdout, stderr, exitCode });
    });
    child.stdin.end(JSON.stringify(event));
  });
}
