import { expect } from 'chai';
import { evaluateRule } from '../../function/core/judge/containment';
import { excludedTag, exemptionFor, groupScope } from '../../function/core/judge/exemptions';
import type { Direction, Rule, RuleSource } from '../../function/core/model/rule';
import type { Principal } from '../../function/core/model/principal';
import { loadPolicy, parsePolicy } from '../../function/core/policy/policy';

const DEFAULT = loadPolicy(undefined);
/** pl-02cd2c6b read as the AWS-managed list it is (S3 in us-east-1), as the engine would read it. */
const AWS_MANAGED_LIST = new Map([
  [
    'pl-02cd2c6b',
    { state: 'aws-managed' as const, info: { prefixListId: 'pl-02cd2c6b', name: 'com.amazonaws.us-east-1.s3', ownerId: 'AWS' } },
  ],
]);

function cidr(text: string): RuleSource {
  return { kind: 'cidr', cidr: text, family: text.includes(':') ? 'ipv6' : 'ipv4' };
}

function rule(source: RuleSource | string, protocol: string, fromPort?: number, toPort?: number, direction: Direction = 'ingress'): Rule {
  return {
    direction,
    groupId: 'sg-0123456789abcdef0',
    protocol,
    ...(fromPort === undefined ? {} : { fromPort }),
    ...(toPort === undefined ? {} : { toPort }),
    source: typeof source === 'string' ? cidr(source) : source,
  };
}

describe('evaluateRule', () => {
  describe('with the default policy', () => {
    it('flags ssh from the whole IPv4 internet, naming traffic, source and direction', () => {
      // Prepare
      const ssh = rule('0.0.0.0/0', 'tcp', 22, 22);

      // Act
      const result = evaluateRule(ssh, DEFAULT);

      // Assess
      expect(result).to.deep.equal({ allowed: false, reason: 'tcp/22 from 0.0.0.0/0 is not covered by any ingress.allow entry' });
    });

    it('allows https from the internet, naming the entry that allows it', () => {
      // Prepare
      const https = rule('0.0.0.0/0', 'tcp', 443, 443);

      // Act
      const result = evaluateRule(https, DEFAULT);

      // Assess
      expect(result).to.deep.equal({ allowed: true, reason: 'allowed by ingress.allow[7] (0.0.0.0/0, tcp/80,443)' });
    });

    it('flags a port range that reaches one port past an allowed port (tcp 443-444)', () => {
      // Prepare
      const wider = rule('0.0.0.0/0', 'tcp', 443, 444);

      // Act
      const result = evaluateRule(wider, DEFAULT);

      // Assess
      expect(result.allowed).to.equal(false);
      expect(result.reason).to.equal('tcp/443-444 from 0.0.0.0/0 is not covered by any ingress.allow entry');
    });

    it('flags half the internet (0.0.0.0/1) and the IPv6 internet (::/0) on ssh', () => {
      // Prepare
      const halves = [rule('0.0.0.0/1', 'tcp', 22, 22), rule('::/0', 'tcp', 22, 22)];

      // Act
      const results = halves.map((r) => evaluateRule(r, DEFAULT).allowed);

      // Assess
      expect(results).to.deep.equal([false, false]);
    });

    it('allows https from ::/0 through its own IPv6 entry', () => {
      // Prepare
      const https6 = rule('::/0', 'tcp', 443, 443);

      // Act
      const result = evaluateRule(https6, DEFAULT);

      // Assess
      expect(result.reason).to.equal('allowed by ingress.allow[8] (::/0, tcp/80,443)');
    });

    it('allows all traffic from a unique local IPv6 network inside fc00::/7', () => {
      // Prepare
      const ula = rule('fd00::/8', '-1');

      // Act
      const result = evaluateRule(ula, DEFAULT);

      // Assess
      expect(result).to.deep.equal({ allowed: true, reason: 'allowed by ingress.allow[4] (fc00::/7, all)' });
    });

    it('flags all traffic (-1) from 0.0.0.0/0, which no port-limited entry covers', () => {
      // Prepare
      const everything = rule('0.0.0.0/0', '-1');

      // Act
      const result = evaluateRule(everything, DEFAULT);

      // Assess
      expect(result).to.deep.equal({ allowed: false, reason: 'all traffic from 0.0.0.0/0 is not covered by any ingress.allow entry' });
    });

    it('allows all traffic from a private network inside 10.0.0.0/8', () => {
      // Prepare
      const internal = rule('10.1.0.0/16', '-1');

      // Act
      const result = evaluateRule(internal, DEFAULT);

      // Assess
      expect(result).to.deep.equal({ allowed: true, reason: 'allowed by ingress.allow[0] (10.0.0.0/8, all)' });
    });

    it('allows security group references and prefix lists', () => {
      // Prepare
      const group = rule({ kind: 'security_group', groupId: 'sg-0fedcba9876543210', userId: '123456789012' }, 'tcp', 5432, 5432);
      const byName = rule({ kind: 'security_group', groupName: 'default' }, '-1');
      const prefixList = rule({ kind: 'prefix_list', prefixListId: 'pl-02cd2c6b' }, 'tcp', 22, 22);

      // Act
      const results = [group, byName, prefixList].map((r) => evaluateRule(r, DEFAULT, AWS_MANAGED_LIST).reason);

      // Assess
      expect(results).to.deep.equal([
        'allowed by ingress.allow[5] (any security group, all)',
        'allowed by ingress.allow[5] (any security group, all)',
        'allowed by ingress.allow[6] (any prefix list, all): pl-02cd2c6b (com.amazonaws.us-east-1.s3) is AWS-managed',
      ]);
    });

    it('treats protocol "6" exactly like tcp', () => {
      // Prepare
      const https = rule('0.0.0.0/0', '6', 443, 443);
      const ssh = rule('0.0.0.0/0', '6', 22, 22);

      // Act
      const results = [https, ssh].map((r) => evaluateRule(r, DEFAULT));

      // Assess
      expect(results.map((r) => r.allowed)).to.deep.equal([true, false]);
      expect(results[1]?.reason).to.equal('tcp/22 from 0.0.0.0/0 is not covered by any ingress.allow entry');
    });

    it('reads tcp with every port (0-65535, -1 or missing ports) as not covered by ports 80 and 443', () => {
      // Prepare
      const rules = [rule('0.0.0.0/0', 'tcp', 0, 65535), rule('0.0.0.0/0', 'tcp', -1, -1), rule('0.0.0.0/0', 'tcp')];

      // Act
      const results = rules.map((r) => evaluateRule(r, DEFAULT));

      // Assess
      for (const result of results) {
        expect(result).to.deep.equal({ allowed: false, reason: 'tcp/0-65535 from 0.0.0.0/0 is not covered by any ingress.allow entry' });
      }
    });

    it('masks host bits in the rule: 208.236.235.254/0 is the whole internet, 10.1.2.3/16 is private', () => {
      // Prepare
      const world = rule('208.236.235.254/0', 'tcp', 22, 22);
      const internal = rule('10.1.2.3/16', 'tcp', 22, 22);

      // Act
      const worldResult = evaluateRule(world, DEFAULT);
      const internalResult = evaluateRule(internal, DEFAULT);

      // Assess
      expect(worldResult).to.deep.equal({
        allowed: false,
        reason: 'tcp/22 from 208.236.235.254/0 (= 0.0.0.0/0) is not covered by any ingress.allow entry',
      });
      expect(internalResult.allowed).to.equal(true);
    });

    it('treats a rule whose CIDR does not parse as a violation that says so', () => {
      // Prepare
      const broken = rule('10.0.0.0/33', 'tcp', 22, 22);

      // Act
      const result = evaluateRule(broken, DEFAULT);

      // Assess
      expect(result.allowed).to.equal(false);
      expect(result.reason).to.contain('invalid CIDR "10.0.0.0/33"');
    });

    it('treats a rule with an unknown protocol as a violation', () => {
      // Prepare
      const odd = rule('10.0.0.0/8', 'smtp', 25, 25);

      // Act
      const result = evaluateRule(odd, DEFAULT);

      // Assess
      expect(result).to.deep.equal({
        allowed: false,
        reason: 'unknown protocol "smtp" from 10.0.0.0/8 cannot be covered by any ingress.allow entry',
      });
    });

    it('allows every egress rule, whatever its protocol, port or destination', () => {
      // Prepare
      const rules = [
        rule('0.0.0.0/0', '-1', undefined, undefined, 'egress'),
        rule('::/0', '-1', undefined, undefined, 'egress'),
        rule('0.0.0.0/0', 'tcp', 4444, 4444, 'egress'),
        rule('203.0.113.7/32', 'udp', 53, 53, 'egress'),
        rule({ kind: 'security_group', groupId: 'sg-0fedcba9876543210' }, '-1', undefined, undefined, 'egress'),
        rule({ kind: 'prefix_list', prefixListId: 'pl-02cd2c6b' }, 'tcp', 443, 443, 'egress'),
      ];

      // Act
      const results = rules.map((r) => evaluateRule(r, DEFAULT, AWS_MANAGED_LIST).allowed);

      // Assess
      expect(results).to.deep.equal([true, true, true, true, true, true]);
    });
  });

  describe('containment rules', () => {
    it('requires the rule range to lie inside one entry range, not across adjacent ranges', () => {
      // Prepare
      const split = parsePolicy({ ingress: { allow: [{ cidr: '0.0.0.0/0', protocol: 'tcp', ports: [80, 81] }] } });
      const joined = parsePolicy({ ingress: { allow: [{ cidr: '0.0.0.0/0', protocol: 'tcp', ports: ['80-81'] }] } });
      const both = rule('0.0.0.0/0', 'tcp', 80, 81);

      // Act
      const results = [evaluateRule(both, split).allowed, evaluateRule(both, joined).allowed];

      // Assess
      expect(results).to.deep.equal([false, true]);
    });

    it('covers a protocol only by the same protocol or all, and -1 only by all', () => {
      // Prepare
      const policy = parsePolicy({
        ingress: {
          allow: [
            { cidr: '10.0.0.0/8', protocol: 'tcp' },
            { cidr: '172.16.0.0/12', protocol: 50 },
          ],
        },
      });
      const cases: Array<[Rule, boolean]> = [
        [rule('10.0.0.0/8', 'tcp', 0, 65535), true],
        [rule('10.0.0.0/8', 'udp', 53, 53), false],
        [rule('10.0.0.0/8', '-1'), false],
        [rule('172.16.0.0/12', '50'), true],
        [rule('172.16.0.0/12', '51'), false],
      ];

      // Act
      const results = cases.map(([r]) => evaluateRule(r, policy).allowed);

      // Assess
      expect(results).to.deep.equal(cases.map(([, allowed]) => allowed));
    });

    it('covers icmp type/code by an icmp entry, but not icmpv6, and not from another address family', () => {
      // Prepare
      const policy = parsePolicy({ ingress: { allow: [{ cidr: '0.0.0.0/0', protocol: 'icmp' }] } });
      const cases: Array<[Rule, boolean]> = [
        [rule('0.0.0.0/0', 'icmp', 8, 0), true],
        [rule('0.0.0.0/0', '1', -1, -1), true],
        [rule('0.0.0.0/0', 'icmpv6', 128, 0), false],
        [rule('::/0', 'icmp', 8, 0), false],
      ];

      // Act
      const results = cases.map(([r]) => evaluateRule(r, policy).allowed);

      // Assess
      expect(results).to.deep.equal(cases.map(([, allowed]) => allowed));
    });

    it('describes icmp rules by type and code', () => {
      // Prepare
      const ping = rule('0.0.0.0/0', 'icmp', 8, -1);

      // Act
      const result = evaluateRule(ping, DEFAULT);

      // Assess
      expect(result.reason).to.equal('icmp/8 from 0.0.0.0/0 is not covered by any ingress.allow entry');
    });

    it('matches a named security group or prefix list case-insensitively and nothing else', () => {
      // Prepare
      const policy = parsePolicy({
        ingress: { allow: [{ security_group: 'sg-0123456789abcdef0' }, { prefix_list: 'pl-02cd2c6b' }] },
      });
      const cases: Array<[Rule, boolean]> = [
        [rule({ kind: 'security_group', groupId: 'SG-0123456789ABCDEF0' }, '-1'), true],
        [rule({ kind: 'security_group', groupId: 'sg-0123456789abcdef1' }, '-1'), false],
        [rule({ kind: 'security_group', groupName: 'default' }, '-1'), false],
        [rule({ kind: 'prefix_list', prefixListId: 'pl-02CD2C6B' }, 'tcp', 443, 443), true],
        [rule({ kind: 'prefix_list', prefixListId: 'pl-0000000a' }, 'tcp', 443, 443), false],
        [rule('10.0.0.0/8', '-1'), false],
      ];

      // Act
      const results = cases.map(([r]) => evaluateRule(r, policy).allowed);

      // Assess
      expect(results).to.deep.equal(cases.map(([, allowed]) => allowed));
    });

    it('judges each direction by its own list only', () => {
      // Prepare
      const policy = parsePolicy({ egress: { allow: [] } });
      const sameRule = (direction: Direction): Rule => rule('10.0.0.0/8', '-1', undefined, undefined, direction);

      // Act
      const ingress = evaluateRule(sameRule('ingress'), policy);
      const egress = evaluateRule(sameRule('egress'), policy);

      // Assess
      expect(ingress.allowed).to.equal(true);
      expect(egress).to.deep.equal({ allowed: false, reason: 'all traffic to 10.0.0.0/8 is not covered by any egress.allow entry' });
    });

    it('names the first covering entry, so the same rule always gets the same reason', () => {
      // Prepare
      const policy = parsePolicy({ ingress: { allow: [{ cidr: '10.0.0.0/8' }, { cidr: '10.1.0.0/16' }] } });
      const internal = rule('10.1.2.0/24', 'tcp', 22, 22);

      // Act
      const reasons = [evaluateRule(internal, policy).reason, evaluateRule(internal, policy).reason];

      // Assess
      expect(reasons).to.deep.equal(['allowed by ingress.allow[0] (10.0.0.0/8, all)', 'allowed by ingress.allow[0] (10.0.0.0/8, all)']);
    });
  });
});

describe('groupScope', () => {
  it('watches every group under "*" and lets exclude_groups win', () => {
    // Prepare
    const policy = parsePolicy({ exclude_groups: ['sg-0aaaaaaaaaaaaaaaa'] });

    // Act
    const watched = groupScope(policy, 'sg-0123456789abcdef0');
    const excluded = groupScope(policy, 'SG-0AAAAAAAAAAAAAAAA');

    // Assess
    expect(watched).to.deep.equal({ watched: true });
    expect(excluded).to.deep.equal({ watched: false, reason: 'SG-0AAAAAAAAAAAAAAAA is in exclude_groups' });
  });

  it('watches only the listed groups, exclusion still winning, and not a group it cannot identify', () => {
    // Prepare
    const policy = parsePolicy({ groups: ['sg-0123456789abcdef0', 'sg-0aaaaaaaaaaaaaaaa'], exclude_groups: ['sg-0aaaaaaaaaaaaaaaa'] });

    // Act
    const results = [
      groupScope(policy, 'sg-0123456789abcdef0'),
      groupScope(policy, 'sg-0aaaaaaaaaaaaaaaa'),
      groupScope(policy, 'sg-0bbbbbbbbbbbbbbbb'),
      groupScope(policy, undefined),
    ];

    // Assess
    expect(results).to.deep.equal([
      { watched: true },
      { watched: false, reason: 'sg-0aaaaaaaaaaaaaaaa is in exclude_groups' },
      { watched: false, reason: 'sg-0bbbbbbbbbbbbbbbb is not in groups' },
      { watched: false, reason: 'the group id is unknown and groups lists specific ids' },
    ]);
  });
});

describe('excludedTag', () => {
  it('names the exclude_tags pair a group carries, and only an exact key and value match', () => {
    // Prepare
    const policy = parsePolicy({ exclude_tags: { sentry: 'off', team: 'sec' } });

    // Act
    const results = [
      excludedTag(policy, { Name: 'web', sentry: 'off' }),
      excludedTag(policy, { sentry: 'on', team: 'sec' }),
      excludedTag(policy, { sentry: 'Off' }),
      excludedTag(policy, { Sentry: 'off' }),
      excludedTag(policy, {}),
    ];

    // Assess
    expect(results).to.deep.equal(['tag sentry=off', 'tag team=sec', undefined, undefined, undefined]);
  });
});

describe('exemptionFor', () => {
  it('matches exempt_principals globs against arn and issuer, anchored and case-sensitive', () => {
    // Prepare
    const policy = parsePolicy({
      exempt_principals: ['arn:aws:sts::*:assumed-role/NetworkAdmin/*', 'arn:aws:iam::111122223333:role/terraform'],
    });
    const cases: Array<[Principal, string | undefined]> = [
      [
        { arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice@example.com' },
        'exempt_principals[0] "arn:aws:sts::*:assumed-role/NetworkAdmin/*" matches arn arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice@example.com',
      ],
      [
        { arn: 'arn:aws:sts::111122223333:assumed-role/terraform/ci', issuerArn: 'arn:aws:iam::111122223333:role/terraform' },
        'exempt_principals[1] "arn:aws:iam::111122223333:role/terraform" matches issuer arn:aws:iam::111122223333:role/terraform',
      ],
      [{ arn: 'arn:aws:sts::111122223333:assumed-role/networkadmin/alice' }, undefined],
      [{ arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin2/alice' }, undefined],
      [{ issuerArn: 'arn:aws:iam::111122223333:role/terraform-admin' }, undefined],
      [{}, undefined],
    ];

    // Act
    const reasons = cases.map(([principal]) => exemptionFor(policy, principal));

    // Assess
    expect(reasons).to.deep.equal(cases.map(([, reason]) => reason));
  });

  it('lets ** match nothing or any run, * only within a field, with literal segments in order', () => {
    // Prepare
    const policy = parsePolicy({ exempt_principals: ['arn:**:role/*admin*'] });
    const arns = [
      'arn:aws:iam::1:role/admin',
      'arn:aws:iam::1:role/x-admin-y',
      'arn:aws:iam::1:role/path/x-admin-y',
      'arn:aws:iam::1:user/admin',
      'arn:aws:iam::1:role/adm',
    ];

    // Act
    const exempt = arns.map((arn) => exemptionFor(policy, { arn }) !== undefined);

    // Assess
    expect(exempt).to.deep.equal([true, true, false, false, false]);
  });
});
