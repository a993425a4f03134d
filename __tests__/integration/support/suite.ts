/**
 * Entry point of the integration suite: `integrationSuite()` registers a describe block that runs
 * against the AWS-compatible API named by SG_SENTRY_TEST_ENDPOINT, or, when it is unset, one
 * pending line (for the whole run, however many files call it) that says how to enable it.
 */
import { existsSync } from 'node:fs';
import { BUNDLE } from './bundle';
import { accountOf, freshAccount, type AccountOptions, type TestAccount } from './account';

export const ENDPOINT_VARIABLE = 'SG_SENTRY_TEST_ENDPOINT';

export const SKIP_NOTICE =
  `integration suite skipped: set ${ENDPOINT_VARIABLE}=http://127.0.0.1:5055 after starting the team's emulator ` +
  "(shared/emulator/up.sh beside the clone) or your own (`pip install 'moto[server]' && moto_server -p 5055`)";

/** What a suite body gets: the endpoint, and fresh accounts on it. */
export interface Emulator {
  readonly endpoint: string;
  /** A new 12-digit account nobody else uses: its groups, topics and queues are invisible to other tests. */
  freshAccount(options?: AccountOptions): Promise<TestAccount>;
  /** An account that exists already, by its id. */
  account(accountId: string, options?: AccountOptions): Promise<TestAccount>;
}

let noticeRegistered = false;

export function integrationEndpoint(): string | undefined {
  const value = process.env[ENDPOINT_VARIABLE]?.trim();
  return value ? value.replace(/\/+$/, '') : undefined;
}

export function integrationSuite(title: string, body: (emulator: Emulator) => void): void {
  const endpoint = integrationEndpoint();
  if (endpoint === undefined) {
    if (!noticeRegistered) {
      noticeRegistered = true;
      it(SKIP_NOTICE);
    }
    return;
  }
  describe(title, function () {
    // Each test spawns a node process and makes a dozen calls; the first call of a service after
    // the server starts loads that service (about a second).
    this.timeout(60_000);
    before(() => {
      if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: npm test builds it first (npm run build)`);
    });
    body({
      endpoint,
      freshAccount: (options) => freshAccount(endpoint, options),
      account: (id, options) => accountOf(endpoint, id, options),
    });
  });
}
