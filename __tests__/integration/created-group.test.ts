/**
 * CreateSecurityGroup through the built bundle against an AWS-compatible API: under an egress
 * allowlist that does not cover all traffic, the new group's default egress rule is revoked at
 * once; under the default policy it stays.
 */
import { expect } from 'chai';
import { envelope, fixture } from '../helpers/fixtures';
import type { TestAccount } from './support/account';
import { rewriteStrings } from './support/events';
import { integrationSuite } from './support/suite';

// Real Terraform sample (2020): CreateSecurityGroup of sg-04d018d184a18f647 in account 112233445566, us-east-1.
const CREATE = 'create-security-group-terraform-2020';

/** The real record, rewritten to name a group just created in the test account. */
function createEvent(account: TestAccount, group: string): Record<string, any> {
  const real = fixture(CREATE);
  return envelope(
    rewriteStrings(real, {
      [real.responseElements.groupId]: group,
      [real.recipientAccountId]: account.accountId,
      [real.awsRegion]: account.region,
    }),
  );
}

integrationSuite('a new security group', (emulator) => {
  it('loses its default egress rule at once when egress is allowed only to private space', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('new-app');
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);

    // Act
    const run = await account.runHandler(createEvent(account, group), {
      SENTRY_POLICY: JSON.stringify({ egress: { allow: [{ cidr: '10.0.0.0/8' }] } }),
    });

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal([]);
    expect(run.result.findings.map((f: any) => `${f.direction} ${f.source} ${f.action}`)).to.deep.equal(['egress 0.0.0.0/0 revoked']);
  });

  it('keeps it under the default policy, which allows all egress', async () => {
    // Prepare
    const account = await emulator.freshAccount();
    const group = await account.createGroup('new-app');

    // Act
    const run = await account.runHandler(createEvent(account, group));

    // Assess
    expect(run.thrown, run.stderr).to.equal(undefined);
    expect(await account.ruleLines(group)).to.deep.equal(['egress -1 0.0.0.0/0']);
    expect(run.result.findings).to.deep.equal([]);
  });
});
