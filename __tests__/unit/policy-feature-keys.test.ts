/**
 * The policy keys of time-boxed exceptions and prefix-list inspection, and `cidr` as a list.
 */
import { expect } from 'chai';
import { evaluateRule } from '../../function/core/judge/containment';
import type { Rule } from '../../function/core/model/rule';
import { parsePolicy, PolicyValidationError } from '../../function/core/policy/policy';

function problemsOf(input: unknown): readonly string[] {
  try {
    parsePolicy(input);
  } catch (error) {
    expect(error).to.be.instanceOf(PolicyValidationError);
    return (error as PolicyValidationError).problems;
  }
  expect.fail(`policy was accepted: ${JSON.stringify(input)}`);
}

const sshFrom = (cidr: string, family: 'ipv4' | 'ipv6' = 'ipv4'): Rule => ({
  direction: 'ingress',
  groupId: 'sg-0123456789abcdef0',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  source: { kind: 'cidr', cidr, family },
});

describe('policy keys: exceptions and prefix lists', () => {
  it('takes the documented defaults when the keys are omitted', () => {
    // Act
    const policy = parsePolicy({});

    // Assess
    expect(policy.exceptionTag).to.equal('sg-sentry:exempt-until');
    expect(policy.maxExceptionDays).to.equal(30);
    expect(policy.exceptionApprovers).to.deep.equal([]);
    expect(policy.inspectPrefixLists).to.equal(true);
    expect(policy.document).to.include({ exception_tag: 'sg-sentry:exempt-until', max_exception_days: 30, inspect_prefix_lists: true });
  });

  it('keeps an explicit null exception_tag (exceptions off) instead of the default', () => {
    // Act
    const policy = parsePolicy({ exception_tag: null });

    // Assess
    expect(policy.exceptionTag).to.equal(null);
    expect(policy.document.exception_tag).to.equal(null);
  });

  it('compiles exception_approvers as globs with their position', () => {
    // Act
    const [approver] = parsePolicy({ exception_approvers: ['arn:aws:iam::*:role/security-approver'] }).exceptionApprovers;

    // Assess
    expect(approver?.index).to.equal(0);
    expect(approver?.matches('arn:aws:iam::111122223333:role/security-approver')).to.equal(true);
    expect(approver?.matches('arn:aws:iam::111122223333:role/developer')).to.equal(false);
  });

  it('rejects an exception approver that could match no principal, as exempt_principals does, rather than remove every exception tag', () => {
    // Prepare
    const document = { exception_approvers: ['security-approver', 'arn:aws:iam::*:role/security-approver'] };

    // Act
    const problems = problemsOf(document);

    // Assess
    expect(problems).to.deep.equal([
      'exception_approvers[0]: "security-approver" would match nothing: write arn:… for a principal or service:<name> for a service acting for one (service:cloudformation.amazonaws.com)',
    ]);
  });

  for (const [value, why] of [
    [0, 'zero'],
    [367, 'over a leap year'],
    [1.5, 'fractional'],
    ['30', 'a string'],
  ] as const) {
    it(`rejects max_exception_days ${why} (${JSON.stringify(value)})`, () => {
      // Act
      const problems = problemsOf({ max_exception_days: value });

      // Assess
      expect(problems).to.deep.equal(['max_exception_days: expected a whole number from 1 to 366']);
    });
  }

  it('rejects an empty exception tag, an empty approver and a non-boolean inspect_prefix_lists, all at once', () => {
    // Act
    const problems = problemsOf({ exception_tag: '', exception_approvers: [''], inspect_prefix_lists: 'no' });

    // Assess
    expect(problems).to.have.members([
      'exception_tag: must not be empty',
      'exception_approvers[0]: must not be empty',
      'inspect_prefix_lists: expected true or false',
    ]);
  });

  describe('cidr as a list', () => {
    const policy = parsePolicy({ ingress: { allow: [{ cidr: ['203.0.113.0/24', '2001:db8::/32'], protocol: 'tcp', ports: [22] }] } });

    it('allows a rule inside any of the listed CIDRs, naming the one that matched', () => {
      // Act
      const v4 = evaluateRule(sshFrom('203.0.113.7/32'), policy);
      const v6 = evaluateRule(sshFrom('2001:db8::1/128', 'ipv6'), policy);

      // Assess
      expect(v4).to.deep.equal({ allowed: true, reason: 'allowed by ingress.allow[0].cidr[0] (203.0.113.0/24, tcp/22)' });
      expect(v6).to.deep.equal({ allowed: true, reason: 'allowed by ingress.allow[0].cidr[1] (2001:db8::/32, tcp/22)' });
    });

    it('shares the protocol and ports among the listed CIDRs', () => {
      // Prepare
      const rdp: Rule = { ...sshFrom('203.0.113.7/32'), fromPort: 3389, toPort: 3389 };

      // Act
      const evaluation = evaluateRule(rdp, policy);

      // Assess
      expect(evaluation.allowed).to.equal(false);
    });

    it('names the bad element of the list by its position', () => {
      // Act
      const problems = problemsOf({ ingress: { allow: [{ cidr: ['10.0.0.0/8', '10.0.0.1/8'] }] } });

      // Assess
      expect(problems).to.deep.equal(['ingress.allow[0].cidr[1]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?']);
    });

    it('rejects an empty list', () => {
      // Act
      const problems = problemsOf({ ingress: { allow: [{ cidr: [] }] } });

      // Assess
      expect(problems).to.deep.equal(['ingress.allow[0].cidr: must not be empty']);
    });

    it('counts a listed CIDR as allowed for all traffic when checking restrict_to', () => {
      // Prepare
      const input = {
        action: 'restrict',
        restrict_to: ['198.51.100.0/24'],
        ingress: { allow: [{ cidr: ['203.0.113.0/24', '198.51.100.0/24'] }] },
      };

      // Act
      const policy = parsePolicy(input);

      // Assess
      expect(policy.restrictTo.map((range) => range.text)).to.deep.equal(['198.51.100.0/24']);
    });
  });
});
