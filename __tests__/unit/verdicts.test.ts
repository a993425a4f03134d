import { expect } from 'chai';
import { judgeRules } from '../../function/core/judge/judge';
import { parseEvent } from '../../function/core/event/parse-event';
import { loadPolicy } from '../../function/core/policy/policy';
import { envelope, fixture } from '../helpers/fixtures';

const DEFAULT = loadPolicy(undefined);

function verdicts(name: string): string[] {
  const parsed = parseEvent(envelope(fixture(name)));
  if (parsed.kind !== 'change') throw new Error(`${name} is not a change`);
  const rules = [...parsed.change.rules, ...parsed.change.undirectedRules.map((r) => ({ ...r, direction: 'ingress' as const }))];
  return judgeRules(rules, DEFAULT).map((j) => j.verdict);
}

/** The verdict of each rule under the embedded default policy. */
const EXPECTED: Record<string, string[]> = {
  'authorize-ingress-ssh-world-rule-ids-console-assumedrole': ['violation'],
  'authorize-ingress-ssh-world-go-sdk-no-rule-ids': ['violation'],
  'eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021': ['violation', 'violation'],
  'eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root': ['violation'],
  'authorize-ingress-mysql-world-v4-v6-console-no-rule-ids': ['violation', 'violation'],
  // 208.236.235.254/0 is the whole internet once the host bits are masked.
  'authorize-ingress-legacy-toplevel-cidrip-stratus': ['violation'],
  // A public /24 on ssh is outside the private ranges the default allows.
  'authorize-ingress-ssh-cidr-rule-ids-cli-grimoire': ['violation'],
  'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1': ['allowed'],
  'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-2': ['allowed'],
  // Parsed despite Panther's string ports: 0.0.0.0/16 on 443 lies inside the world-on-443 entry.
  'authorize-ingress-https-panther-normalized-string-ports': ['allowed'],
  // The default egress allows everything.
  'authorize-egress-all-traffic-terraform-no-rule-ids': ['allowed'],
  'authorize-egress-all-traffic-v4-v6-console-no-rule-ids': ['allowed', 'allowed'],
  'authorize-egress-tcp4444-rule-ids-cli-instance-role': ['allowed'],
  'derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole': ['violation'],
  'derived/modify-rules-array-form-string-ports-from-ssh-world-rule-ids-console-assumedrole': ['allowed', 'violation'],
  'derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk': ['violation'],
  'derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole': ['allowed', 'violation', 'allowed'],
  'derived/split-world-halves-ssh-from-ssh-world-go-sdk': ['violation', 'violation'],
  'derived/ipv6-world-only-mysql-from-mysql-world-v4-v6-console': ['violation'],
  'derived/all-tcp-ports-0-65535-world-from-ssh-world-go-sdk': ['violation'],
  'derived/all-traffic-protocol-minus-one-world-from-ssh-world-go-sdk': ['violation'],
  // A customer-managed list is judged by its entries, which are not read here, so it cannot be
  // allowed; engine/prefix-lists.test.ts judges the same event with the list read.
  'derived/prefix-list-source-postgres-from-ssh-world-rule-ids-console-assumedrole': ['violation'],
  'derived/ipv6-ula-fd00-ssh-allowed-from-ssh-world-rule-ids-console-assumedrole': ['allowed'],
};

describe('verdicts under the embedded default policy', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`judges ${name}: ${expected.join(', ')}`, () => {
      expect(verdicts(name)).to.deep.equal(expected);
    });
  }

  it('allows world https but not world ssh from the same call', () => {
    const record = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
    record.requestParameters.ipPermissions.items[0].fromPort = 443;
    record.requestParameters.ipPermissions.items[0].toPort = 443;

    expect(verdicts('authorize-ingress-ssh-world-go-sdk-no-rule-ids')).to.deep.equal(['violation']);
    const parsed = parseEvent(record);
    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(judgeRules(parsed.change.rules, DEFAULT).map((j) => j.verdict)).to.deep.equal(['allowed']);
  });
});
