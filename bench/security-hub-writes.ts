/**
 * What the Security Hub import costs a warm event: the violating corpus through the handler in
 * one process (EC2 and SNS clients mocked: mocked-event-clients.ts), once without
 * `SENTRY_SECURITY_HUB` and once with it. The import is the adapter's own signed request, not an
 * SDK client, so it goes to the loopback stub of security-hub-stub.ts
 * (`AWS_ENDPOINT_URL_SECURITYHUB`): its cost includes signing and one loopback round trip. Prints
 * one `SECURITYHUB {json}` line: per variant, milliseconds per event, imports and findings per event.
 */
import { performance } from 'node:perf_hooks';
import { contextFromEnvironment } from '../function/environment';
import { createHandler } from '../function/handler';
import type { EventReport } from '../function/core/report/report';
import { loadCorpus, referencesPrefixList } from './corpus';
import { mockEventClients } from './mocked-event-clients';
import { SecurityHubStub } from './security-hub-stub';

const EVENTS = Number(process.env.BENCH_SECURITY_HUB_EVENTS ?? 1000);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:sg-sentry';

async function main(): Promise<void> {
  const { ec2, sns } = mockEventClients();
  const securityHub = new SecurityHubStub();
  const endpoint = await securityHub.start();

  const violating = loadCorpus().filter((e) => e.violations > 0 && !referencesPrefixList(e));
  const run = async (env: Record<string, string>) => {
    const handler = createHandler(
      contextFromEnvironment(
        { SENTRY_TOPIC_ARN: TOPIC, AWS_ENDPOINT_URL_SECURITYHUB: endpoint, ...env },
        { log: () => undefined, metrics: { record: () => undefined } },
      ),
    );
    for (let i = 0; i < 200; i++) await handler(structuredClone(violating[i % violating.length]!.event));
    securityHub.reset();
    // Events with a violating or exempt finding that reached no BatchImportFindings, by fixture.
    const notImported = new Set<string>();
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const source = violating[i % violating.length]!;
      const event = structuredClone(source.event);
      event.detail.eventID = `security-hub-${i}-${event.detail.eventID}`;
      const importsBefore = securityHub.imports.length;
      const report = (await handler(event)) as EventReport;
      if (securityHub.imports.length === importsBefore && report.findings.some((f) => f.verdict !== 'allowed'))
        notImported.add(source.name);
      ec2.resetHistory();
      sns.resetHistory();
    }
    const msPerEvent = (performance.now() - started) / EVENTS;
    const imports = securityHub.imports.length / EVENTS;
    const findings = securityHub.imports.reduce((n, c) => n + c.findings, 0) / EVENTS;
    const others = securityHub.others.length;
    securityHub.reset();
    return { msPerEvent, importsPerEvent: imports, findingsPerEvent: findings, otherRequests: others, notImported: [...notImported] };
  };
  try {
    const result = { events: EVENTS, without: await run({}), with: await run({ SENTRY_SECURITY_HUB: 'true' }) };
    process.stdout.write(`SECURITYHUB ${JSON.stringify(result)}\n`);
  } finally {
    await securityHub.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
