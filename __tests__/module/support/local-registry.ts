/**
 * A loopback npm registry serving the packages sg-sentry depends on, packed from this checkout's
 * node_modules: installing the sg-sentry tarball then needs no network, and npm still resolves
 * and verifies its dependencies as it would against the real registry.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LocalRegistry {
  readonly url: string;
  close(): void;
}

/** Serves `names` (as installed in `nodeModules`) from tarballs packed into `workDir`. */
export async function startLocalRegistry(
  names: readonly string[],
  nodeModules: string,
  workDir: string,
  env: NodeJS.ProcessEnv,
): Promise<LocalRegistry> {
  const packages = new Map<string, { version: string; integrity: string; file: string }>();
  for (const name of names) {
    const packed = await run(
      'npm',
      ['pack', join(nodeModules, name), '--json', '--ignore-scripts', '--pack-destination', workDir, '--loglevel=error'],
      { cwd: workDir, env },
    );
    const [entry] = JSON.parse(packed.stdout) as Array<{ version: string; integrity: string; filename: string }>;
    packages.set(name, { version: entry!.version, integrity: entry!.integrity, file: join(workDir, entry!.filename) });
  }
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!.slice(1));
    const tarball = [...packages.values()].find((p) => path === `-/${basename(p.file)}`);
    if (tarball) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(tarball.file));
      return;
    }
    const found = packages.get(path);
    if (!found) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const url = `http://${request.headers.host}/-/${basename(found.file)}`;
    const packument = {
      name: path,
      'dist-tags': { latest: found.version },
      versions: { [found.version]: { name: path, version: found.version, dist: { tarball: url, integrity: found.integrity } } },
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}
