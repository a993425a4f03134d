/**
 * `exempt_principals` and the function's own exemption, judged on the principals of real
 * records: who can be exempted by a pattern, and who cannot slip in beside them.
 */
import { expect } from 'chai';
import { parseEvent } from '../../function/core/event/parse-event';
import { exemptionFor } from '../../function/core/judge/exemptions';
import type { Principal } from '../../function/core/model/principal';
import { compileGlob } from '../../function/core/policy/glob';
import { parsePolicy, PolicyValidationError } from '../../function/core/policy/policy';
import { envelope, fixture } from '../helpers/fixtures';

function principalOf(name: string): Principal {
  const parsed = parseEvent(envelope(fixture(name)));
  if (parsed.kind !== 'change') throw new Error(`${name} is not a change`);
  return parsed.change.principal;
}

/** The console sample's assumed role (voclabs), its CloudFormation sample, and the function's own restrict call. */
const CONSOLE = principalOf('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
const CLOUDFORMATION = principalOf('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1');
const OWN_CALL = principalOf('derived/restrict-replacement-by-own-lambda-role-from-ssh-world-rule-ids-console-assumedrole');
const SELF_ROLE = 'arn:aws:iam::776520358045:role/sg-sentry';

describe('exempt_principals globs', () => {
  it('lets * stand for one ARN field or path segment only, and ** for any run', () => {
    // Prepare
    const one = compileGlob('arn:aws:iam::*:role/terraform-deployer');
    const any = compileGlob('arn:aws:iam::**/terraform-deployer');

    // Act
    const results = [
      one.matches('arn:aws:iam::111122223333:role/terraform-deployer'),
      one.matches('arn:aws:iam::111122223333:user/:role/terraform-deployer'),
      one.matches('arn:aws:iam::1:2:role/terraform-deployer'),
      any.matches('arn:aws:iam::111122223333:role/ci/terraform-deployer'),
      any.matches('arn:aws:iam::111122223333:user/:role/terraform-deployer'),
    ];

    // Assess
    expect(results).to.deep.equal([true, false, false, true, true]);
  });

  it("does not let an IAM user whose path spells :role/terraform-deployer borrow the deployer role's exemption", () => {
    // Prepare: the console sample, as made by such a user instead of its assumed role
    const user: Principal = {
      ...CONSOLE,
      type: 'IAMUser',
      arn: 'arn:aws:iam::776520358045:user/:role/terraform-deployer',
      issuerArn: undefined,
    };
    const policy = parsePolicy({ exempt_principals: ['arn:aws:iam::*:role/terraform-deployer'] });

    // Act
    const reason = exemptionFor(policy, user);

    // Assess
    expect(reason).to.equal(undefined);
  });

  it('exempts the sessions of one role with assumed-role/<role>/*, and not a session of another role named like it', () => {
    // Prepare
    const policy = parsePolicy({ exempt_principals: ['arn:aws:sts::*:assumed-role/voclabs/*'] });
    const otherRole: Principal = { ...CONSOLE, arn: 'arn:aws:sts::776520358045:assumed-role/voclabs/x/y' };

    // Act
    const reasons = [exemptionFor(policy, CONSOLE), exemptionFor(policy, otherRole)];

    // Assess
    expect(reasons).to.deep.equal([`exempt_principals[0] "arn:aws:sts::*:assumed-role/voclabs/*" matches arn ${CONSOLE.arn}`, undefined]);
  });

  it('matches invokedBy only through service:<name>, and an ARN pattern never through invokedBy', () => {
    // Prepare
    const byService = parsePolicy({ exempt_principals: ['service:cloudformation.amazonaws.com'] });
    const arnLike = parsePolicy({ exempt_principals: ['arn:aws:iam::**'] });
    const noService: Principal = { ...CLOUDFORMATION, invokedBy: undefined };

    // Act
    const reasons = [
      exemptionFor(byService, CLOUDFORMATION),
      exemptionFor(byService, noService),
      exemptionFor(arnLike, { invokedBy: 'arn:aws:iam::1:role/x' }),
    ];

    // Assess
    expect(reasons).to.deep.equal([
      'exempt_principals[0] "service:cloudformation.amazonaws.com" matches invokedBy cloudformation.amazonaws.com',
      undefined,
      undefined,
    ]);
  });

  it('rejects a pattern that is neither arn:… nor service:…, which would otherwise silently match nothing', () => {
    // Prepare
    const document = { exempt_principals: ['cloudformation.amazonaws.com', 'service:', 'arn:aws:iam::*:role/ok'] };

    // Act
    let problems: readonly string[] = [];
    try {
      parsePolicy(document);
    } catch (error) {
      problems = (error as PolicyValidationError).problems;
    }

    // Assess
    expect(problems).to.deep.equal([
      'exempt_principals[0]: "cloudformation.amazonaws.com" would match nothing: write arn:… for a principal or service:<name> for a service acting for one (service:cloudformation.amazonaws.com)',
      'exempt_principals[1]: "service:" names no service, e.g. service:cloudformation.amazonaws.com',
    ]);
  });

  it('rejects a pattern holding white space, such as a trailing space, which no ARN has', () => {
    // Prepare
    const document = {
      exempt_principals: ['arn:aws:iam::111122223333:role/terraform-deployer '],
      exception_approvers: ['arn:aws:iam::*:role/security approver'],
    };

    // Act
    let problems: readonly string[] = [];
    try {
      parsePolicy(document);
    } catch (error) {
      problems = (error as PolicyValidationError).problems;
    }

    // Assess
    expect(problems).to.deep.equal([
      'exempt_principals[0]: "arn:aws:iam::111122223333:role/terraform-deployer " holds white space, which no ARN or service name has',
      'exception_approvers[0]: "arn:aws:iam::*:role/security approver" holds white space, which no ARN or service name has',
    ]);
  });

  it('accepts a pattern that starts with a star, since it can still match an ARN, and applies it', () => {
    // Prepare
    const policy = parsePolicy({ exempt_principals: ['**:assumed-role/voclabs/**'] });

    // Act
    const reason = exemptionFor(policy, CONSOLE);

    // Assess
    expect(reason).to.contain('exempt_principals[0] "**:assumed-role/voclabs/**"');
  });
});

describe("the function's own exemption", () => {
  it('covers the session Lambda gives it: assumed-role/<its role>/<its function name>', () => {
    // Prepare: the derived record of its own restrict call, role sg-sentry, function sg-sentry

    // Act
    const reason = exemptionFor(parsePolicy({}), OWN_CALL, { roleArn: SELF_ROLE, sessionName: 'sg-sentry' });

    // Assess
    expect(reason).to.equal(`made by sg-sentry itself (session ${OWN_CALL.arn})`);
  });

  it('does not cover another session of its role, or its role at all when the function name is unknown', () => {
    // Prepare: the same record as a person who assumed the function's role by hand
    const byHand: Principal = { ...OWN_CALL, arn: 'arn:aws:sts::776520358045:assumed-role/sg-sentry/alice' };

    // Act
    const reasons = [
      exemptionFor(parsePolicy({}), byHand, { roleArn: SELF_ROLE, sessionName: 'sg-sentry' }),
      exemptionFor(parsePolicy({}), OWN_CALL, { roleArn: SELF_ROLE }),
    ];

    // Assess
    expect(reasons).to.deep.equal([undefined, undefined]);
  });

  it('follows a role path, which session ARNs leave out, and stays in its partition and account', () => {
    // Prepare
    const self = { roleArn: 'arn:aws:iam::776520358045:role/service/sg-sentry', sessionName: 'sg-sentry' };
    const elsewhere: Principal[] = [
      { ...OWN_CALL, arn: 'arn:aws-cn:sts::776520358045:assumed-role/sg-sentry/sg-sentry' },
      { ...OWN_CALL, arn: 'arn:aws:sts::999999999999:assumed-role/sg-sentry/sg-sentry' },
    ];

    // Act
    const reasons = [exemptionFor(parsePolicy({}), OWN_CALL, self), ...elsewhere.map((p) => exemptionFor(parsePolicy({}), p, self))];

    // Assess
    expect(reasons.map((r) => r !== undefined)).to.deep.equal([true, false, false]);
  });
});
