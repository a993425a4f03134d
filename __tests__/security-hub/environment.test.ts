/**
 * SENTRY_SECURITY_HUB in the function's environment: on, every account and region's ports carry
 * a Security Hub port; off or unset, none; anything else fails at cold start instead of passing
 * for "off".
 */
import { expect } from 'chai';
import { contextFromEnvironment } from '../../function/environment';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:sg-sentry';
const TARGET = { account: '111122223333', region: 'eu-west-1' };

function portsWith(env: Record<string, string>) {
  return contextFromEnvironment({ SENTRY_TOPIC_ARN: TOPIC, ...env }, { log: () => {} }).portsFor(TARGET);
}

describe('SENTRY_SECURITY_HUB', () => {
  it('gives the ports of an account and region a Security Hub port when true, and none when false or unset', () => {
    // Act
    const on = portsWith({ SENTRY_SECURITY_HUB: 'true' });
    const off = portsWith({ SENTRY_SECURITY_HUB: 'false' });
    const unset = portsWith({});

    // Assess
    expect(on?.securityHub).to.not.equal(undefined);
    expect(off).to.not.have.property('securityHub');
    expect(unset).to.not.have.property('securityHub');
  });

  it('refuses a value that is neither true nor false, at cold start, naming it', () => {
    expect(() => portsWith({ SENTRY_SECURITY_HUB: 'yes' })).to.throw('SENTRY_SECURITY_HUB must be true or false, not "yes"');
    expect(() => portsWith({ SENTRY_SECURITY_HUB: 'TRUE' })).to.not.throw();
  });
});
