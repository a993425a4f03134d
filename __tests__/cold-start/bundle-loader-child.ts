/**
 * Run in a fresh process by lazy-clients.test.ts: loads the built bundle (dist/function/index.js,
 * written by `npm run build`, which `npm test` runs first) against the loopback stub (an http://
 * endpoint, where the SDK loads node:http on first use), runs one violating event through it, and
 * prints the calls the stub saw and which of Node's ES module loader internals it loaded.
 */
import { join } from 'node:path';
import { FakeAws } from '../helpers/fake-aws';
import { envelope, fixture } from '../helpers/fixtures';

const esmLoader = () =>
  (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((m) => m.includes('internal/modules/esm/'));

async function main(): Promise<void> {
  const aws = new FakeAws();
  const endpoint = await aws.start();
  Object.assign(
    process.env,
    FakeAws.env(endpoint, {
      SENTRY_TOPIC_ARN: 'arn:aws:sns:us-east-1:776520358045:sg-sentry',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
  );
  const before = esmLoader();
  const { handler } = require(join(__dirname, '..', '..', 'dist', 'function', 'index.js')) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  await handler(envelope(fixture(process.argv[2] ?? '')), {});
  await aws.stop();
  process.stdout.write(
    `${JSON.stringify({ calls: aws.calls.map((c) => c.action), loaded: esmLoader().filter((m) => !before.includes(m)) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
