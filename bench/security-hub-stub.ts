/**
 * A loopback stand-in for Security Hub's BatchImportFindings (`POST /findings/import`, JSON),
 * reached through the SDK's standard `AWS_ENDPOINT_URL_SECURITYHUB`: the function's
 * Security Hub adapter signs and sends that one request itself. It accepts every finding and
 * records when each request arrived, on this process's clock, like the EC2/SNS stub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ImportCall {
  /** Findings in the request. */
  readonly findings: number;
  /** `performance.now()` when the request arrived. */
  readonly receivedAt: number;
}

export class SecurityHubStub {
  readonly imports: ImportCall[] = [];
  /** Requests to any other path (there should be none). */
  readonly others: string[] = [];
  private server: Server | undefined;

  reset(): void {
    this.imports.splice(0);
    this.others.splice(0);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const receivedAt = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/findings/import') {
          this.others.push(`${req.method} ${req.url}`);
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
          res.end('{"Message":"not a BatchImportFindings request"}');
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Findings?: unknown[] };
        const findings = body.Findings?.length ?? 0;
        this.imports.push({ findings, receivedAt });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ FailedCount: 0, SuccessCount: findings, FailedFindings: [] }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
