import { expect } from 'chai';
import { cidrContains, networkText, parseCidr } from '../../function/core/model/cidr';
import { canonicalProtocol } from '../../function/core/model/protocol';

describe('cidr', () => {
  it('masks host bits, because EC2 applies the network the prefix describes', () => {
    const range = parseCidr('208.236.235.254/0');

    expect(range && networkText(range)).to.equal('0.0.0.0/0');
    expect(range?.hostBitsSet).to.equal(true);
  });

  it('rejects bare addresses, out-of-range prefixes and malformed addresses', () => {
    for (const text of ['1.2.3.4', '10.0.0.0/33', '300.1.1.1/8', '1.2.3/8', '::/129', 'fc00::/x', 'fe80::%eth0/64']) {
      expect(parseCidr(text), text).to.equal(undefined);
    }
  });

  it('contains only within the same address family', () => {
    expect(cidrContains(parseCidr('fc00::/7')!, parseCidr('fd12::/64')!)).to.equal(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseCidr('10.0.0.0/7')!)).to.equal(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseCidr('::/0')!)).to.equal(false);
  });
});

describe('protocol', () => {
  it('treats names and numbers as the same protocol', () => {
    expect(canonicalProtocol('6')).to.equal('tcp');
    expect(canonicalProtocol(17)).to.equal('udp');
    expect(canonicalProtocol('TCP')).to.equal('tcp');
    expect(canonicalProtocol('58')).to.equal('icmpv6');
    expect(canonicalProtocol('-1')).to.equal('-1');
    expect(canonicalProtocol('50')).to.equal('50');
    expect(canonicalProtocol('256')).to.equal(undefined);
    expect(canonicalProtocol('ftp')).to.equal(undefined);
  });
});
