/**
 * Run in a fresh process by lazy-clients.test.ts: loads the function's entry with every optional
 * feature configured, runs one violating event through it, and prints which SDK clients were
 * (and Powertools packages) were loaded at three moments: after loading the entry, when the Revoke is sent, and at the end.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { FakeAws } from '../helpers/fake-aws';
import { envelope, fixture } from '../helpers/fixtures';

function loadedClients(): string[] {
  const clients = Object.keys(require.cache).flatMap(
    (file) =>
      /node_modules[\\/](@aws-sdk[\\/]client-[^\\/]+|@aws-lambda-powertools[\\/][^\\/]+)[\\/]/
        .exec(file)?.[1]
        ?.replace(/^@aws-sdk[\\/]/, '') ?? [],
  );
  return [...new Set(clients)].sort();
}

async function main(): Promise<void> {
  const aws = new FakeAws();
  const endpoint = await aws.start();
  Object.assign(process.env, FakeAws.env(endpoint, JSON.parse(process.argv[2] ?? '{}') as Record<string, string>));
  const { handler } = require('../../function/index') as typeof import('../../function/index');
  const atLoad = loadedClients();

  // The EC2 client is already loaded; mocking it loads nothing else.
  const ec2 = require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
  let atRevoke: string[] | undefined;
  mockClient(ec2.EC2Client)
    .onAnyCommand()
    .resolves({})
    .on(ec2.RevokeSecurityGroupIngressCommand)
    .callsFake(() => {
      atRevoke = loadedClients();
      return {};
    });
  const report = (await handler(envelope(fixture(process.argv[3] ?? '')), {})) as {
    readonly findings?: ReadonlyArray<{ readonly action: string }>;
  };
  await aws.stop();
  process.stdout.write(
    `${JSON.stringify({ atLoad, atRevoke, atEnd: loadedClients(), actions: report.findings?.map((f) => f.action), calls: aws.calls.map((c) => c.action) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
