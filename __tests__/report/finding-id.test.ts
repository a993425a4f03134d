/**
 * The stable name of a rule (Security Hub's finding Id, SARIF's fingerprint): the same rule
 * gets the same name whichever way an event or EC2 spells it, and different rules differ.
 */
import { expect } from 'chai';
import { findingId } from '../../function/core/report/finding-id';
import type { FindingReport } from '../../function/core/report/report';

const PLACE = { account: '776520358045', region: 'us-east-1', groupId: 'sg-0632fa4ee8a8468a4' };
/** The rule of the real console event that opened SSH to the world. */
const SSH_WORLD: Pick<FindingReport, 'direction' | 'protocol' | 'from_port' | 'to_port' | 'source'> = {
  direction: 'ingress',
  protocol: 'tcp',
  from_port: 22,
  to_port: 22,
  source: '0.0.0.0/0',
};

describe('findingId: one name per rule', () => {
  it('names the account, region, group, direction, protocol, ports and source', () => {
    expect(findingId(PLACE, SSH_WORLD)).to.equal('sg-sentry/776520358045/us-east-1/sg-0632fa4ee8a8468a4/ingress/tcp/22/0.0.0.0/0');
  });

  it('gives all traffic one name whether the ports are absent (an event) or -1 (DescribeSecurityGroupRules)', () => {
    const fromEvent = findingId(PLACE, { ...SSH_WORLD, protocol: '-1', from_port: null, to_port: null });
    const fromEc2 = findingId(PLACE, { ...SSH_WORLD, protocol: '-1', from_port: -1, to_port: -1 });

    expect(fromEvent).to.equal(fromEc2);
    expect(fromEvent).to.equal('sg-sentry/776520358045/us-east-1/sg-0632fa4ee8a8468a4/ingress/-1/all/0.0.0.0/0');
  });

  it('spells protocol numbers as names and every udp port as 0-65535', () => {
    expect(findingId(PLACE, { ...SSH_WORLD, protocol: '6' })).to.equal(findingId(PLACE, SSH_WORLD));
    expect(findingId(PLACE, { ...SSH_WORLD, protocol: 'udp', from_port: -1, to_port: -1 })).to.contain('/udp/0-65535/');
  });

  it('writes icmp type and code, and any icmp as all', () => {
    expect(findingId(PLACE, { ...SSH_WORLD, protocol: 'icmp', from_port: 8, to_port: 0 })).to.contain('/icmp/8:0/');
    expect(findingId(PLACE, { ...SSH_WORLD, protocol: 'icmp', from_port: 8, to_port: -1 })).to.contain('/icmp/8/');
    expect(findingId(PLACE, { ...SSH_WORLD, protocol: 'icmp', from_port: -1, to_port: -1 })).to.contain('/icmp/all/');
  });

  it('tells apart rules that differ in one part, and says unknown for a missing account or group', () => {
    const ids = new Set([
      findingId(PLACE, SSH_WORLD),
      findingId(PLACE, { ...SSH_WORLD, direction: 'egress' }),
      findingId(PLACE, { ...SSH_WORLD, from_port: 22, to_port: 23 }),
      findingId(PLACE, { ...SSH_WORLD, source: '::/0' }),
      findingId({ ...PLACE, region: 'eu-west-1' }, SSH_WORLD),
    ]);

    expect(ids.size).to.equal(5);
    expect(findingId({ account: null, region: 'us-east-1', groupId: null }, SSH_WORLD)).to.equal(
      'sg-sentry/unknown/us-east-1/unknown-group/ingress/tcp/22/0.0.0.0/0',
    );
  });
});
