/**
 * The Security Hub adapter against a loopback Security Hub (its REST JSON API, SigV4 checked by
 * header), and the best-effort import the engine runs after the revoke: batches of 100, refused
 * findings and failed calls counted and logged, never thrown.
 */
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BATCH_IMPORT_LIMIT, SecurityHubAdapter, securityHubEndpoint } from '../../function/adapters/security-hub-adapter';
import { processChange } from '../../function/core/engine';
import type { SecurityHubPort } from '../../function/core/ports';
import { importToSecurityHub } from '../../function/core/report/security-hub-export';
import { securityHubFindingsOf, type AsffFinding } from '../../function/core/report/security-hub-findings';
import { accountAfter, changeOf, engineContext, NOW } from '../engine/support';

const SSH_WORLD = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const CREDENTIALS = async () => ({ accessKeyId: 'AKIDMEMBER', secretAccessKey: 'secret', sessionToken: 'token' });

async function sshWorldReport() {
  const change = changeOf(SSH_WORLD);
  const { ctx } = engineContext({}, accountAfter(change));
  return (await processChange(change, ctx)).report;
}

/** `n` findings of the real SSH opening, each with an Id of its own. */
async function findings(n: number): Promise<AsffFinding[]> {
  const [one] = securityHubFindingsOf(await sshWorldReport(), NOW);
  return Array.from({ length: n }, (_, i) => ({ ...one!, Id: `${one!.Id}#${i}` }));
}

interface Received {
  readonly path: string;
  readonly authorization: string;
  readonly body: { Findings: AsffFinding[] };
}

/** What the fake answers; `null`: it never answers (a hung endpoint). */
type Answer = (received: Received, n: number) => { status: number; body: unknown; headers?: Record<string, string> } | null;

/** A loopback Security Hub that records each request and answers with `answer`. */
class FakeSecurityHub {
  readonly received: Received[] = [];
  answer: Answer = (r) => ({ status: 200, body: { SuccessCount: r.body.Findings.length, FailedCount: 0, FailedFindings: [] } });
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = {
          path: req.url ?? '',
          authorization: String(req.headers.authorization ?? ''),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        };
        this.received.push(received);
        const answer = this.answer(received, this.received.length);
        if (answer === null) return;
        const { status, body, headers } = answer;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.received.splice(0);
    this.answer = (r) => ({ status: 200, body: { SuccessCount: r.body.Findings.length, FailedCount: 0, FailedFindings: [] } });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('SecurityHubAdapter', () => {
  const hub = new FakeSecurityHub();
  let endpoint = '';
  const adapter = () => new SecurityHubAdapter('us-east-1', { endpoint, credentials: CREDENTIALS, sleep: async () => {} });

  before(async () => {
    endpoint = await hub.start();
  });
  after(() => hub.stop());
  afterEach(() => hub.reset());

  it('imports at most 100 findings a call to POST /findings/import, every finding once, in order, signed for securityhub', async () => {
    // Prepare
    const all = await findings(250);

    // Act
    const answer = await adapter().importFindings(all);

    // Assess
    expect(hub.received.map((r) => r.body.Findings.length)).to.deep.equal([BATCH_IMPORT_LIMIT, BATCH_IMPORT_LIMIT, 50]);
    expect(hub.received.flatMap((r) => r.body.Findings.map((f) => f.Id))).to.deep.equal(all.map((f) => f.Id));
    expect(hub.received.every((r) => r.path === '/findings/import')).to.equal(true);
    expect(hub.received[0]?.authorization).to.match(
      /^AWS4-HMAC-SHA256 Credential=AKIDMEMBER\/\d{8}\/us-east-1\/securityhub\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(hub.received[0]?.body.Findings[0]).to.deep.equal(all[0]);
    expect(answer.failed).to.deep.equal([]);
  });

  it('passes on the findings Security Hub refused, with its codes', async () => {
    const all = await findings(2);
    hub.answer = () => ({
      status: 200,
      body: {
        SuccessCount: 1,
        FailedCount: 1,
        FailedFindings: [{ Id: all[1]!.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding is missing a required field' }],
      },
    });

    const answer = await adapter().importFindings(all);

    expect(answer.failed).to.deep.equal([{ id: all[1]!.Id, code: 'InvalidInput', message: 'Finding is missing a required field' }]);
  });

  it('counts every finding of a denied call as failed, does not retry it, and still sends the next batch', async () => {
    // Prepare: the first call is denied, the second goes through.
    const all = await findings(150);
    hub.answer = (r, n) =>
      n === 1
        ? {
            status: 403,
            body: { Message: 'not authorized to perform securityhub:BatchImportFindings' },
            headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/' },
          }
        : { status: 200, body: { SuccessCount: r.body.Findings.length, FailedCount: 0, FailedFindings: [] } };

    // Act
    const answer = await adapter().importFindings(all);

    // Assess
    expect(hub.received).to.have.length(2);
    expect(answer.failed).to.have.length(100);
    expect(answer.failed[0]).to.deep.equal({
      id: all[0]!.Id,
      code: 'AccessDeniedException',
      message: 'not authorized to perform securityhub:BatchImportFindings',
    });
  });

  it('retries throttling and 5xx a few times, then succeeds', async () => {
    hub.answer = (_r, n) =>
      n === 1
        ? { status: 429, body: { message: 'Rate exceeded' }, headers: { 'x-amzn-errortype': 'TooManyRequestsException' } }
        : n === 2
          ? { status: 503, body: {} }
          : { status: 200, body: { FailedFindings: [] } };

    const answer = await adapter().importFindings(await findings(1));

    expect(hub.received).to.have.length(3);
    expect(answer.failed).to.deep.equal([]);
  });

  it('cuts off attempts that never answer, and counts their findings as failed', async () => {
    // Prepare: an endpoint that takes the request and never answers.
    hub.answer = () => null;
    const hung = new SecurityHubAdapter('us-east-1', { endpoint, credentials: CREDENTIALS, sleep: async () => {}, attemptTimeoutMs: 50 });

    // Act
    const answer = await hung.importFindings(await findings(1));

    // Assess
    expect(hub.received).to.have.length(3);
    expect(answer.failed.map((f) => f.code)).to.deep.equal(['TimeoutError']);
  });

  it('names the regional endpoint of the partition when no override is set', () => {
    expect(securityHubEndpoint('eu-west-1')).to.equal('https://securityhub.eu-west-1.amazonaws.com');
    expect(securityHubEndpoint('cn-north-1')).to.equal('https://securityhub.cn-north-1.amazonaws.com.cn');
  });
});

describe('importToSecurityHub (best effort, after the revoke)', () => {
  function recordingHub(answer: () => Promise<{ failed: { id: string; code: string; message: string }[] }>) {
    const sent: AsffFinding[][] = [];
    const port: SecurityHubPort = {
      importFindings: async (f) => {
        sent.push([...f]);
        return answer();
      },
    };
    return { port, sent };
  }

  it("imports the report's findings and counts them", async () => {
    const { port, sent } = recordingHub(async () => ({ failed: [] }));
    const logs: Record<string, unknown>[] = [];

    const counts = await importToSecurityHub(await sshWorldReport(), port, { log: (l) => logs.push(l), now: () => NOW });

    expect(counts).to.deep.equal({ imported: 1, failed: 0 });
    expect(sent.flat().map((f) => f.Severity.Label)).to.deep.equal(['CRITICAL']);
    expect(logs).to.deep.equal([]);
  });

  it('logs refused findings at error level and counts them, without throwing', async () => {
    const { port } = recordingHub(async () => ({ failed: [{ id: 'x', code: 'InvalidInput', message: 'bad' }] }));
    const logs: Record<string, unknown>[] = [];

    const counts = await importToSecurityHub(await sshWorldReport(), port, { log: (l) => logs.push(l), now: () => NOW });

    expect(counts).to.deep.equal({ imported: 0, failed: 1 });
    expect(logs).to.have.length(1);
    expect(logs[0]).to.include({ level: 'error', message: 'Security Hub refused findings; remediation stands', failed: 1 });
  });

  it('turns a port that throws into a logged, counted failure', async () => {
    const { port } = recordingHub(async () => {
      throw new Error('socket hang up');
    });
    const logs: Record<string, unknown>[] = [];

    const counts = await importToSecurityHub(await sshWorldReport(), port, { log: (l) => logs.push(l), now: () => NOW });

    expect(counts).to.deep.equal({ imported: 0, failed: 1 });
    expect(logs[0]).to.include({ level: 'error', error: 'Error: socket hang up' });
  });

  it('calls nothing when no rule is violating or exempt', async () => {
    const report = await sshWorldReport();
    const { port, sent } = recordingHub(async () => ({ failed: [] }));

    const counts = await importToSecurityHub(
      { ...report, findings: report.findings.map((f) => ({ ...f, verdict: 'allowed' as const })) },
      port,
      { log: () => {}, now: () => NOW },
    );

    expect(counts).to.deep.equal({ imported: 0, failed: 0 });
    expect(sent).to.deep.equal([]);
  });
});
