/**
 * AWS Organizations over the SDK: the ACTIVE accounts, every page. Works only in the management
 * account or a delegated administrator. The SDK module is loaded on first use: events never need it.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { OrganizationPort } from '../core/ports';
import { toEc2CallError } from './aws-error';

type Sdk = typeof import('./organizations-sdk');
/** Loaded on first use, not at the top: see organizations-sdk.ts. */
const sdk = (): Sdk => require('./organizations-sdk') as Sdk;

export class OrganizationAccounts implements OrganizationPort {
  constructor(private readonly client: () => Promise<OrganizationsClient>) {}

  static lazy(): OrganizationAccounts {
    let client: Promise<OrganizationsClient> | undefined;
    return new OrganizationAccounts(() => (client ??= Promise.resolve(new (sdk().OrganizationsClient)({}))));
  }

  async activeAccounts(): Promise<readonly string[]> {
    const client = await this.client();
    const { ListAccountsCommand } = sdk();
    const accounts: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(new ListAccountsCommand({ ...(token !== undefined ? { NextToken: token } : {}) }));
      } catch (error) {
        throw toEc2CallError(error);
      }
      for (const account of page.Accounts ?? []) {
        // `State` replaces the deprecated `Status`; either says ACTIVE for an account that is.
        const state = (account as { State?: string }).State ?? account.Status;
        if (account.Id !== undefined && state === 'ACTIVE') accounts.push(account.Id);
      }
      token = page.NextToken;
    } while (token);
    return accounts;
  }
}
