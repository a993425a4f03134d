import { expect } from 'chai';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { toEc2CallError } from '../../function/adapters/aws-error';
import { AssumeRoleError, REFRESH_BEFORE_EXPIRY_MS, assumeRole, cachedCredentials } from '../../function/adapters/member-credentials';
import { awsError } from '../helpers/aws-errors';

const ROLE = 'arn:aws:iam::444455556666:role/sg-sentry-member';
const T0 = new Date('2026-11-27T10:00:00Z');
const HOUR = 3600_000;

function answer(key: string, expiresInMs: number) {
  return {
    Credentials: { AccessKeyId: key, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(T0.getTime() + expiresInMs) },
  };
}

describe('member role credentials', () => {
  const sts = mockClient(STSClient);
  const client = new STSClient({ region: 'eu-west-1' });
  afterEach(() => sts.reset());

  it("assumes the member role with the session name the role's trust policy requires", async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(answer('AKIA1', HOUR));

    // Act
    const credentials = await assumeRole(async () => client, ROLE)();

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).to.deep.equal([
      { RoleArn: ROLE, RoleSessionName: 'sg-sentry' },
    ]);
    expect(credentials).to.include({ accessKeyId: 'AKIA1', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('keeps the credentials until shortly before they expire, then assumes the role again', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(answer('AKIA1', HOUR))
      .resolves(answer('AKIA2', 2 * HOUR));
    let now = T0;
    const source = cachedCredentials(
      assumeRole(async () => client, ROLE),
      () => now,
    );

    // Act
    const first = await source();
    now = new Date(T0.getTime() + HOUR - REFRESH_BEFORE_EXPIRY_MS - 1000);
    const beforeRefresh = await source();
    now = new Date(T0.getTime() + HOUR - REFRESH_BEFORE_EXPIRY_MS + 1000);
    const afterRefresh = await source();

    // Assess
    expect([first.accessKeyId, beforeRefresh.accessKeyId, afterRefresh.accessKeyId]).to.deep.equal(['AKIA1', 'AKIA1', 'AKIA2']);
    expect(sts.commandCalls(AssumeRoleCommand)).to.have.lengthOf(2);
  });

  it('makes one AssumeRole call for calls that arrive while it is in flight', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(answer('AKIA1', HOUR));
    const source = cachedCredentials(
      assumeRole(async () => client, ROLE),
      () => T0,
    );

    // Act
    const all = await Promise.all([source(), source(), source()]);

    // Assess
    expect(all.map((c) => c.accessKeyId)).to.deep.equal(['AKIA1', 'AKIA1', 'AKIA1']);
    expect(sts.commandCalls(AssumeRoleCommand)).to.have.lengthOf(1);
  });

  it('does not keep a failure: the next call assumes the role again', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(awsError('Throttling', 'client', 400))
      .resolves(answer('AKIA1', HOUR));
    const source = cachedCredentials(
      assumeRole(async () => client, ROLE),
      () => T0,
    );

    // Act
    const failure = await source().then(
      () => undefined,
      (error: unknown) => error,
    );
    const retried = await source();

    // Assess
    expect(failure).to.be.instanceOf(AssumeRoleError);
    expect(retried.accessKeyId).to.equal('AKIA1');
  });

  it('makes AccessDenied permanent and throttling or a network failure retryable, naming the role', async () => {
    // Prepare
    const failing = (error: Error) => {
      sts.reset();
      sts.on(AssumeRoleCommand).rejects(error);
      return assumeRole(async () => client, ROLE)().then(
        () => undefined,
        (e: unknown) => toEc2CallError(e),
      );
    };

    // Act
    const denied = await failing(awsError('AccessDenied', 'client', 403));
    const throttled = await failing(awsError('Throttling', 'client', 400));
    const network = await failing(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));

    // Assess
    expect(denied).to.include({ code: 'AccessDenied', retryable: false });
    expect(denied!.message).to.contain(`assuming ${ROLE} failed`);
    expect(throttled).to.include({ code: 'Throttling', retryable: true });
    expect(network).to.include({ retryable: true });
  });

  it('fails with the role named when STS answers without credentials', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({});

    // Act
    const error = await assumeRole(async () => client, ROLE)().then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(error).to.be.instanceOf(AssumeRoleError);
    expect((error as Error).message).to.equal(`assuming ${ROLE} failed: the answer carried no credentials`);
  });
});
