import { expect } from 'chai';
import { AccountPorts } from '../../function/adapters/account-ports';
import type { CredentialSource } from '../../function/adapters/member-credentials';
import type { Ec2Port } from '../../function/core/ports';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';

const OWN = '111122223333';
const MEMBER = '444455556666';
const FUNCTION_ARN = `arn:aws-us-gov:lambda:us-gov-west-1:${OWN}:function:sg-sentry`;

/** AccountPorts over in-memory EC2s, recording which region got which credentials. */
function accountPorts(memberRoleName?: string) {
  const created: Array<{ region: string; credentials?: CredentialSource }> = [];
  const assumed: string[] = [];
  const ports = new AccountPorts({
    ...(memberRoleName !== undefined ? { memberRoleName } : {}),
    ec2: (region, credentials): Ec2Port => {
      created.push({ region, ...(credentials !== undefined ? { credentials } : {}) });
      return new InMemoryEc2();
    },
    assumeRole: (roleArn) => {
      assumed.push(roleArn);
      return async () => ({ accessKeyId: roleArn, secretAccessKey: 's', sessionToken: 't', expiration: new Date('2100-01-01T00:00:00Z') });
    },
    now: () => new Date('2026-11-27T10:00:00Z'),
  });
  ports.identify(FUNCTION_ARN);
  return { ports, created, assumed };
}

describe('ports per account and region', () => {
  it("serves the function's own account with its own credentials", () => {
    // Prepare
    const { ports, created, assumed } = accountPorts('sg-sentry-member');

    // Act
    const result = ports.portsFor({ account: OWN, region: 'eu-west-1' });

    // Assess
    expect(result).not.to.equal(undefined);
    expect(created).to.deep.equal([{ region: 'eu-west-1' }]);
    expect(assumed).to.deep.equal([]);
  });

  it("serves another account through its member role, in the partition of the function's own ARN", async () => {
    // Prepare
    const { ports, created, assumed } = accountPorts('sg-sentry-member');

    // Act
    ports.portsFor({ account: MEMBER, region: 'us-gov-east-1' });
    const credentials = await created[0]!.credentials!();

    // Assess
    expect(created.map((c) => c.region)).to.deep.equal(['us-gov-east-1']);
    expect(assumed).to.deep.equal([`arn:aws-us-gov:iam::${MEMBER}:role/sg-sentry-member`]);
    expect(credentials.accessKeyId).to.equal(`arn:aws-us-gov:iam::${MEMBER}:role/sg-sentry-member`);
  });

  it('cannot serve another account without a member role name', () => {
    // Prepare
    const { ports, created } = accountPorts(undefined);

    // Act
    const result = ports.portsFor({ account: MEMBER, region: 'eu-west-1' });

    // Assess
    expect(result).to.equal(undefined);
    expect(created).to.deep.equal([]);
    expect(ports.portsFor({ account: OWN, region: 'eu-west-1' })).not.to.equal(undefined);
  });

  it('keeps one client per account and region, and one credential cache per account for all its regions', () => {
    // Prepare
    const { ports, created, assumed } = accountPorts('sg-sentry-member');

    // Act
    const first = ports.portsFor({ account: MEMBER, region: 'eu-west-1' });
    const again = ports.portsFor({ account: MEMBER, region: 'eu-west-1' });
    ports.portsFor({ account: MEMBER, region: 'us-east-1' });

    // Assess
    expect(again).to.equal(first);
    expect(created.map((c) => c.region)).to.deep.equal(['eu-west-1', 'us-east-1']);
    expect(created[0]!.credentials).to.equal(created[1]!.credentials);
    expect(assumed).to.have.lengthOf(1);
  });

  it('serves every account as its own until the own account is known (no Lambda context)', () => {
    // Prepare
    const created: string[] = [];
    const ports = new AccountPorts({
      ec2: (region, credentials) => {
        created.push(`${region} ${credentials === undefined ? 'own' : 'member'}`);
        return new InMemoryEc2();
      },
      assumeRole: () => () => Promise.reject(new Error('not expected')),
      now: () => new Date(0),
    });

    // Act
    ports.portsFor({ account: MEMBER, region: 'eu-west-1' });

    // Assess
    expect(created).to.deep.equal(['eu-west-1 own']);
  });
});
