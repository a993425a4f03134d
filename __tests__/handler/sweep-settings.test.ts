/**
 * The sweep's environment (SENTRY_SWEEP_ACCOUNTS, SENTRY_SWEEP_REGIONS, SENTRY_SWEEP_QUEUE_URL),
 * read once at cold start: a value that does not fit fails loudly, naming the variable.
 */
import { expect } from 'chai';
import { ENV } from '../../function/core/env-names';
import { EnvironmentError, contextFromEnvironment, sweepSettingsOf } from '../../function/environment';

describe('sweep settings from the environment', () => {
  it('reads account ids and regions as JSON arrays, and ["organization"] as the whole organization', () => {
    // Act
    const ids = sweepSettingsOf({
      [ENV.sweepAccounts]: '["111122223333","444455556666"]',
      [ENV.sweepRegions]: '["eu-west-1","us-east-1"]',
    });
    const organization = sweepSettingsOf({ [ENV.sweepAccounts]: '["organization"]' });

    // Assess
    expect(ids).to.deep.equal({ accounts: ['111122223333', '444455556666'], regions: ['eu-west-1', 'us-east-1'] });
    expect(organization).to.deep.equal({ accounts: 'organization' });
    expect(sweepSettingsOf({})).to.equal(undefined);
  });

  for (const [env, message] of [
    [{ [ENV.sweepAccounts]: '["111122223333"' }, /SENTRY_SWEEP_ACCOUNTS is not JSON/],
    [
      { [ENV.sweepAccounts]: '["organization","111122223333"]' },
      /SENTRY_SWEEP_ACCOUNTS\[0\]: must be a 12-digit account id, or the list must be exactly \["organization"\]/,
    ],
    [{ [ENV.sweepAccounts]: '[]' }, /SENTRY_SWEEP_ACCOUNTS: must name at least one account/],
    [{ [ENV.sweepRegions]: '["eu-west-1","Frankfurt"]' }, /SENTRY_SWEEP_REGIONS\[1\]: not an AWS region name/],
    [
      { [ENV.sweepAccounts]: '"111122223333"' },
      /SENTRY_SWEEP_ACCOUNTS: expected a JSON array of 12-digit account ids, or \["organization"\]/,
    ],
    [{ [ENV.sweepRegions]: '"eu-west-1"' }, /SENTRY_SWEEP_REGIONS: expected a JSON array of region names/],
  ] as const) {
    it(`fails at cold start on ${JSON.stringify(env)}, naming the variable`, () => {
      // Act
      const attempt = () => contextFromEnvironment(env);

      // Assess
      expect(attempt).to.throw(EnvironmentError, message);
    });
  }

  it('wires the queue when SENTRY_SWEEP_QUEUE_URL is set, and the organization only for ["organization"]', () => {
    // Act
    const queued = contextFromEnvironment({
      [ENV.sweepQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sg-sentry-sweep',
      [ENV.sweepAccounts]: '["organization"]',
    });
    const plain = contextFromEnvironment({ [ENV.sweepAccounts]: '["111122223333"]' });

    // Assess
    expect(queued.sweepQueue).not.to.equal(undefined);
    expect(queued.organization).not.to.equal(undefined);
    expect(plain.sweepQueue).to.equal(undefined);
    expect(plain.organization).to.equal(undefined);
    expect(plain.sweepTargets).to.deep.equal({ accounts: ['111122223333'] });
  });
});
