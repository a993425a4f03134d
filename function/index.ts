/**
 * PLACEHOLDER on branch `module` only, so that `npm run build` produces dist/function/index.js
 * for the module synth and its tests. The real handler (enforcement-core issue) replaces this
 * file at merge; keep theirs.
 */
export async function handler(event: unknown): Promise<never> {
  console.log(JSON.stringify({ message: 'sg-sentry placeholder handler: not implemented', event }));
  throw new Error('sg-sentry: placeholder handler; the real function has not landed on this branch');
}
