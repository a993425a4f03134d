import { expect } from 'chai';
import { networkText } from '../../function/core/model/cidr';
import { DEFAULT_POLICY_DOCUMENT } from '../../function/core/policy/default-policy';
import { loadPolicy, parsePolicy, PolicyValidationError, type Policy } from '../../function/core/policy/policy';
import { PolicyDocumentSchema } from '../../function/core/policy/policy-document.schema';

/** The problems of a policy that must be rejected. */
function problemsOf(input: unknown): readonly string[] {
  try {
    parsePolicy(input);
  } catch (error) {
    expect(error).to.be.instanceOf(PolicyValidationError);
    return (error as PolicyValidationError).problems;
  }
  expect.fail(`policy was accepted: ${JSON.stringify(input)}`);
}

function withIngress(...allow: unknown[]): unknown {
  return { ingress: { allow } };
}

describe('policy loading', () => {
  describe('defaults', () => {
    it('treats {"mode": "report"} as a complete policy, every other key from the default', () => {
      // Prepare
      const text = '{"mode": "report"}';

      // Act
      const policy = loadPolicy(text);

      // Assess
      expect(policy.mode).to.equal('report');
      expect(policy.action).to.equal('revoke');
      expect(policy.groups).to.equal('*');
      expect(policy.notifyAllowed).to.equal(false);
      expect(policy.ingress).to.have.length(DEFAULT_POLICY_DOCUMENT.ingress.allow.length);
      expect(policy.egress).to.have.length(DEFAULT_POLICY_DOCUMENT.egress.allow.length);
      expect(policy.document).to.deep.equal({ ...DEFAULT_POLICY_DOCUMENT, mode: 'report' });
    });

    it('uses the embedded default when the policy text is unset, empty or blank', () => {
      // Prepare
      const texts = [undefined, '', '  \n\t'];

      // Act
      const documents = texts.map((text) => loadPolicy(text).document);

      // Assess
      for (const document of documents) expect(document).to.deep.equal(DEFAULT_POLICY_DOCUMENT);
    });

    it('ships a default document that its own schema accepts and that survives JSON', () => {
      // Prepare
      const printed = JSON.stringify(DEFAULT_POLICY_DOCUMENT, null, 2);

      // Act
      const result = PolicyDocumentSchema.safeParse(JSON.parse(printed));

      // Assess
      expect(result.success).to.equal(true);
      expect(JSON.parse(printed)).to.deep.equal(DEFAULT_POLICY_DOCUMENT);
      expect(Object.isFrozen(DEFAULT_POLICY_DOCUMENT.ingress.allow)).to.equal(true);
    });

    it('describes every default entry', () => {
      // Prepare
      const entries = [...DEFAULT_POLICY_DOCUMENT.ingress.allow, ...DEFAULT_POLICY_DOCUMENT.egress.allow];

      // Act
      const undescribed = entries.filter((entry) => !entry.description);

      // Assess
      expect(undescribed).to.deep.equal([]);
    });

    it('replaces the default ingress list with a given one instead of merging, leaving egress default', () => {
      // Prepare
      const input = withIngress({ cidr: '10.0.0.0/8' });

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.ingress).to.have.length(1);
      expect(policy.ingress[0]?.label).to.equal('ingress.allow[0] (10.0.0.0/8, all)');
      expect(policy.egress).to.have.length(DEFAULT_POLICY_DOCUMENT.egress.allow.length);
      expect(policy.document.ingress).to.deep.equal({ allow: [{ cidr: '10.0.0.0/8' }] });
    });

    it('accepts an empty allow list: that direction then allows nothing', () => {
      // Prepare
      const input = { egress: { allow: [] } };

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.egress).to.deep.equal([]);
      expect(policy.ingress).to.have.length(DEFAULT_POLICY_DOCUMENT.ingress.allow.length);
    });

    it('keeps an explicit undefined from a JS caller from erasing a default', () => {
      // Prepare
      const input = { mode: undefined, ingress: undefined };

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.mode).to.equal('enforce');
      expect(policy.ingress).to.have.length(DEFAULT_POLICY_DOCUMENT.ingress.allow.length);
    });
  });

  describe('rejection', () => {
    it('rejects an unknown top-level key, naming it and suggesting the intended one', () => {
      // Prepare
      const input = { mdoe: 'report' };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^mdoe: unknown key; did you mean "mode"\?/);
    });

    it('rejects unknown keys inside ingress and inside an entry', () => {
      // Prepare
      const input = { ingress: { allow: [{ cidr: '10.0.0.0/8', prot: 'tcp' }], deny: [] } };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.have.length(2);
      expect(problems.some((p) => p.startsWith('ingress.allow[0].prot: unknown key; did you mean "protocol"?'))).to.equal(true);
      expect(problems.some((p) => p.startsWith('ingress.deny: unknown key'))).to.equal(true);
    });

    it('lists every problem of a policy with three mistakes, each with its JSON path', () => {
      // Prepare
      const input = {
        mode: 'enforced',
        groups: ['sg-xyz'],
        ingress: { allow: [{ cidr: '0.0.0.0/0', protocol: 'tcp', ports: [22, 70000] }] },
      };

      // Act
      let error: unknown;
      try {
        parsePolicy(input);
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).to.be.instanceOf(PolicyValidationError);
      const { problems, message } = error as PolicyValidationError;
      expect(problems.map((p) => p.slice(0, p.indexOf(':')))).to.have.members(['mode', 'groups[0]', 'ingress.allow[0].ports[1]']);
      expect(problems).to.have.length(3);
      expect(message).to.contain('3 problems');
      for (const problem of problems) expect(message).to.contain(problem);
    });

    it('rejects a CIDR with host bits set and suggests the network', () => {
      // Prepare
      const inputs = [withIngress({ cidr: '10.0.0.1/8' }), withIngress({ cidr: 'fd00::1/8' })];

      // Act
      const problems = inputs.map(problemsOf);

      // Assess
      expect(problems).to.deep.equal([
        ['ingress.allow[0].cidr: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?'],
        ['ingress.allow[0].cidr: fd00::1/8 has host bits set; did you mean fd00::/8?'],
      ]);
    });

    it('rejects strings that are not CIDRs, including bare addresses', () => {
      // Prepare
      const inputs = ['10.0.0.0', '10.0.0.0/33', 'anywhere', 'fe80::%eth0/10'].map((cidr) => withIngress({ cidr }));

      // Act
      const problems = inputs.map(problemsOf);

      // Assess
      for (const list of problems) {
        expect(list).to.have.length(1);
        expect(list[0]).to.match(/^ingress\.allow\[0\]\.cidr: ".*" is not an IPv4 or IPv6 CIDR/);
      }
    });

    it('rejects ports on icmp and on the default protocol all, but takes them on "6" as on tcp', () => {
      // Prepare
      const icmp = withIngress({ cidr: '10.0.0.0/8', protocol: 'icmp', ports: [8] });
      const all = withIngress({ cidr: '10.0.0.0/8', ports: [22] });
      const six = withIngress({ cidr: '10.0.0.0/8', protocol: '6', ports: [22] });

      // Act
      const icmpProblems = problemsOf(icmp);
      const allProblems = problemsOf(all);
      const sixPolicy = parsePolicy(six);

      // Assess
      expect(icmpProblems).to.have.length(1);
      expect(icmpProblems[0]).to.match(/^ingress\.allow\[0\]\.ports: ports are only allowed with protocol tcp or udp.*icmp/);
      expect(allProblems).to.have.length(1);
      expect(allProblems[0]).to.match(/^ingress\.allow\[0\]\.ports: .*protocol is all/);
      expect(sixPolicy.ingress[0]?.protocol).to.equal('tcp');
      expect(sixPolicy.ingress[0]?.ports).to.deep.equal([[22, 22]]);
    });

    it('rejects an empty groups list, which would watch nothing, and says how to stop acting instead', () => {
      // Prepare
      const input = { groups: [] };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.deep.equal(['groups: must not be empty (to stop acting, use "mode": "report")']);
    });

    it('rejects an empty ports array rather than reading it as no ports or all ports', () => {
      // Prepare
      const input = withIngress({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: [] });

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.deep.equal(['ingress.allow[0].ports: must not be empty; omit ports to allow every port']);
    });

    it('rejects malformed port specs, each at its own index', () => {
      // Prepare
      const input = withIngress({ cidr: '10.0.0.0/8', protocol: 'udp', ports: ['443-80', -1, 1.5, '80 - 90', 65536] });

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems.map((p) => p.slice(0, p.indexOf(':')))).to.deep.equal([0, 1, 2, 3, 4].map((i) => `ingress.allow[0].ports[${i}]`));
      expect(problems[0]).to.contain('did you mean "80-443"?');
    });

    it('requires exactly one source per entry', () => {
      // Prepare
      const none = withIngress({ protocol: 'tcp' });
      const two = withIngress({ cidr: '10.0.0.0/8', security_group: '*' });

      // Act
      const noneProblems = problemsOf(none);
      const twoProblems = problemsOf(two);

      // Assess
      expect(noneProblems).to.deep.equal(['ingress.allow[0]: needs exactly one source: cidr, security_group or prefix_list']);
      expect(twoProblems).to.deep.equal(['ingress.allow[0]: has 2 sources (cidr, security_group); write one entry per source']);
    });

    it('rejects malformed group, prefix list and protocol values', () => {
      // Prepare
      const input = {
        groups: ['*', 'sg-12'],
        exclude_groups: ['*'],
        ingress: {
          allow: [
            { prefix_list: 'pl-xyz' },
            { security_group: 'default' },
            { cidr: '10.0.0.0/8', protocol: 'ftp' },
            { cidr: '10.0.0.0/8', protocol: 256 },
          ],
        },
      };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems.map((p) => p.slice(0, p.indexOf(':')))).to.have.members([
        'groups[1]',
        'exclude_groups[0]',
        'ingress.allow[0].prefix_list',
        'ingress.allow[1].security_group',
        'ingress.allow[2].protocol',
        'ingress.allow[3].protocol',
      ]);
    });

    it('rejects wrong types at the document root and in scalar keys', () => {
      // Prepare
      const inputs: unknown[] = [null, [], 'enforce', { notify_allowed: 'yes' }, { version: 2 }, { groups: '*' }];

      // Act
      const problems = inputs.map(problemsOf);

      // Assess
      expect(problems).to.deep.equal([
        ['policy: expected an object, got null'],
        ['policy: expected an object, got an array'],
        ['policy: expected an object, got string "enforce"'],
        ['notify_allowed: expected true or false'],
        ['version: the only policy version is 1'],
        ['groups: expected an array of security group ids, or ["*"]'],
      ]);
    });

    it('names an empty exclude_tags key as such, not as a wrong type', () => {
      // Prepare
      const input = { exclude_tags: { '': 'off' } };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.deep.equal(['exclude_tags[""]: tag keys must not be empty']);
    });

    it('refuses a __proto__ tag key instead of letting it vanish', () => {
      // Prepare
      const text = '{"exclude_tags": {"__proto__": "x", "sentry": "off"}}';

      // Act
      const act = (): Policy => loadPolicy(text);

      // Assess
      expect(act).to.throw(PolicyValidationError, 'exclude_tags.__proto__');
    });

    it('reports invalid JSON as a policy problem, chaining the SyntaxError', () => {
      // Prepare
      const text = '{"mode": "report",}';

      // Act
      let error: unknown;
      try {
        loadPolicy(text);
      } catch (caught) {
        error = caught;
      }

      // Assess
      expect(error).to.be.instanceOf(PolicyValidationError);
      expect((error as PolicyValidationError).problems[0]).to.match(/^policy: not valid JSON: /);
      expect((error as PolicyValidationError).cause).to.be.instanceOf(SyntaxError);
    });

    it('rejects action "restrict" without any restrict_to CIDR', () => {
      // Prepare
      const input = { action: 'restrict' };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^restrict_to: action "restrict" needs at least one CIDR/);
    });
  });

  describe('restrict_to', () => {
    const SWEEP_WOULD_UNDO = 'for all traffic, so the sweep would revoke the rules restrict creates';

    it('rejects a restrict_to CIDR that the default ingress allowlist would itself revoke', () => {
      // Prepare
      const input = { action: 'restrict', restrict_to: ['10.20.0.0/16', '203.0.113.0/24', '2001:db8::/32'] };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.deep.equal([
        `restrict_to[1]: 203.0.113.0/24 is not allowed by ingress.allow ${SWEEP_WOULD_UNDO}`,
        `restrict_to[2]: 2001:db8::/32 is not allowed by ingress.allow ${SWEEP_WOULD_UNDO}`,
      ]);
    });

    it('accepts restrict_to CIDRs inside networks allowed for all traffic both ways', () => {
      // Prepare
      const input = { action: 'restrict', restrict_to: ['10.20.0.0/16', 'fd12:3456::/32'] };

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.restrictTo.map(networkText)).to.deep.equal(['10.20.0.0/16', 'fd12:3456::/32']);
    });

    it('requires all traffic, not just some ports, to be allowed from the restrict_to CIDR', () => {
      // Prepare
      const portsOnly = {
        action: 'restrict',
        restrict_to: ['203.0.113.0/24'],
        ingress: { allow: [{ cidr: '203.0.113.0/24', protocol: 'tcp' }] },
      };
      const everything = { action: 'restrict', restrict_to: ['203.0.113.0/24'], ingress: { allow: [{ cidr: '203.0.113.0/24' }] } };

      // Act
      const portsOnlyProblems = problemsOf(portsOnly);
      const policy = parsePolicy(everything);

      // Assess
      expect(portsOnlyProblems).to.deep.equal([`restrict_to[0]: 203.0.113.0/24 is not allowed by ingress.allow ${SWEEP_WOULD_UNDO}`]);
      expect(policy.action).to.equal('restrict');
    });

    it('checks egress too, naming every direction that would revoke', () => {
      // Prepare
      const egressOnly = { restrict_to: ['10.20.0.0/16'], egress: { allow: [] } };
      const both = { restrict_to: ['198.51.100.0/24'], egress: { allow: [{ prefix_list: '*' }] } };

      // Act
      const egressProblems = problemsOf(egressOnly);
      const bothProblems = problemsOf(both);

      // Assess
      expect(egressProblems).to.deep.equal([`restrict_to[0]: 10.20.0.0/16 is not allowed by egress.allow ${SWEEP_WOULD_UNDO}`]);
      expect(bothProblems).to.deep.equal([
        `restrict_to[0]: 198.51.100.0/24 is not allowed by ingress.allow or egress.allow ${SWEEP_WOULD_UNDO}`,
      ]);
    });

    it('rejects host bits in restrict_to like anywhere else', () => {
      // Prepare
      const input = { action: 'restrict', restrict_to: ['10.20.0.1/16'] };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.deep.equal(['restrict_to[0]: 10.20.0.1/16 has host bits set; did you mean 10.20.0.0/16?']);
    });

    it('still reports an uncovered restrict_to CIDR when another key is invalid', () => {
      // Prepare
      const input = { mdoe: 'report', exclude_groups: ['web'], action: 'restrict', restrict_to: ['203.0.113.0/24'] };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.have.length(3);
      expect(problems.map((p) => p.slice(0, p.indexOf(':')))).to.have.members(['mdoe', 'exclude_groups[0]', 'restrict_to[0]']);
    });

    it('skips the restrict_to check when the allowlist it depends on is itself invalid', () => {
      // Prepare
      // 203.0.113.0/24 is allowed by the given ingress, not by the default it would fall back to.
      const input = {
        restrict_to: ['203.0.113.0/24'],
        ingress: { allow: [{ cidr: '203.0.113.0/24' }, { cidr: '10.0.0.0/8', protocol: 'icmp', ports: [8] }] },
      };

      // Act
      const problems = problemsOf(input);

      // Assess
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/^ingress\.allow\[1\]\.ports: /);
    });
  });

  describe('compilation', () => {
    it('canonicalizes protocols so names and numbers compare equal', () => {
      // Prepare
      const input = withIngress(
        { cidr: '10.0.0.0/8', protocol: 'all' },
        { cidr: '10.0.0.0/8', protocol: '-1' },
        { cidr: '10.0.0.0/8', protocol: -1 },
        { cidr: '10.0.0.0/8', protocol: 6 },
        { cidr: '10.0.0.0/8', protocol: '17' },
        { cidr: '10.0.0.0/8', protocol: 'icmp' },
        { cidr: 'fc00::/7', protocol: 58 },
        { cidr: '10.0.0.0/8', protocol: 50 },
      );

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.ingress.map((entry) => entry.protocol)).to.deep.equal(['-1', '-1', '-1', 'tcp', 'udp', 'icmp', 'icmpv6', '50']);
    });

    it('compiles ports to inclusive ranges and CIDRs to parsed ranges', () => {
      // Prepare
      const input = withIngress({ cidr: '192.168.0.0/16', protocol: 'tcp', ports: [443, '8000-8080', '22'] });

      // Act
      const entry = parsePolicy(input).ingress[0];

      // Assess
      expect(entry?.ports).to.deep.equal([
        [443, 443],
        [8000, 8080],
        [22, 22],
      ]);
      expect(entry?.source.kind === 'cidr' && networkText(entry.source.range)).to.equal('192.168.0.0/16');
      expect(entry?.label).to.equal('ingress.allow[0] (192.168.0.0/16, tcp/443,8000-8080,22)');
    });

    it('compiles groups, exclusions, tags and restrict_to', () => {
      // Prepare
      const input = {
        version: 1,
        action: 'restrict',
        restrict_to: ['10.20.0.0/16'],
        groups: ['sg-0123456789ABCDEF0'],
        exclude_groups: ['sg-0aaaaaaaaaaaaaaaa'],
        exclude_tags: { sentry: 'off' },
        notify_allowed: true,
      };

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.groups).to.deep.equal(new Set(['sg-0123456789abcdef0']));
      expect(policy.excludeGroups).to.deep.equal(new Set(['sg-0aaaaaaaaaaaaaaaa']));
      expect(policy.excludeTags).to.deep.equal({ sentry: 'off' });
      expect(policy.restrictTo.map(networkText)).to.deep.equal(['10.20.0.0/16']);
      expect(policy.notifyAllowed).to.equal(true);
      expect(policy.document.version).to.equal(1);
    });

    it('reads "*" anywhere in groups as every group', () => {
      // Prepare
      const input = { groups: ['sg-0123456789abcdef0', '*'] };

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.groups).to.equal('*');
    });
  });
});
