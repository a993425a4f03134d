import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: any;
}

/** How the fake webhook answers: a status (Slack answers `ok` with 200), or never. */
export type Behaviour = { status: number; body?: string } | 'hang';

/** A real HTTP server on 127.0.0.1 standing in for Slack's incoming webhook. */
export class WebhookServer {
  readonly posts: ReceivedPost[] = [];
  behaviour: Behaviour = { status: 200, body: 'ok' };
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  static async start(): Promise<WebhookServer> {
    const instance = new WebhookServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  /** A port on 127.0.0.1 that nothing listens on: bound, then released. */
  static async closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/services/T0000/B0000/secret-token`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      this.posts.push({
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: text ? JSON.parse(text) : undefined,
      });
      const behaviour = this.behaviour;
      if (behaviour === 'hang') return;
      response.writeHead(behaviour.status, { 'content-type': 'text/plain' });
      response.end(behaviour.body ?? '');
    });
  }
}
