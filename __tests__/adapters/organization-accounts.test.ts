import { expect } from 'chai';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { OrganizationAccounts } from '../../function/adapters/organization-accounts';
import { Ec2CallError } from '../../function/core/errors';
import { awsError } from '../helpers/aws-errors';

describe('organization accounts over Organizations', () => {
  const organizations = mockClient(OrganizationsClient);
  const accounts = new OrganizationAccounts(async () => new OrganizationsClient({ region: 'us-east-1' }));
  afterEach(() => organizations.reset());

  it('lists every page and keeps only the ACTIVE accounts', async () => {
    // Prepare
    organizations
      .on(ListAccountsCommand, {})
      .resolves({
        Accounts: [
          { Id: '111122223333', Status: 'ACTIVE' },
          { Id: '444455556666', Status: 'SUSPENDED' },
        ],
        NextToken: 'page-2',
      })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .resolves({
        Accounts: [{ Id: '777788889999', Status: 'ACTIVE' }, { Id: '222233334444', Status: 'ACTIVE', State: 'PENDING_CLOSURE' } as never],
      });

    // Act
    const active = await accounts.activeAccounts();

    // Assess
    expect(active).to.deep.equal(['111122223333', '777788889999']);
    expect(organizations.commandCalls(ListAccountsCommand).map((c) => c.args[0].input)).to.deep.equal([{}, { NextToken: 'page-2' }]);
  });

  it('fails permanently when the account may not list the organization, retryably when throttled', async () => {
    // Prepare
    const failing = async (error: Error) => {
      organizations.reset();
      organizations.on(ListAccountsCommand).rejects(error);
      return accounts.activeAccounts().then(
        () => undefined,
        (e: unknown) => e,
      );
    };

    // Act
    const denied = await failing(awsError('AccessDeniedException', 'client', 400));
    const throttled = await failing(awsError('TooManyRequestsException', 'client', 400));

    // Assess
    expect(denied).to.be.instanceOf(Ec2CallError).and.to.include({ code: 'AccessDeniedException', retryable: false });
    expect(throttled).to.include({ code: 'TooManyRequestsException', retryable: true });
  });
});
