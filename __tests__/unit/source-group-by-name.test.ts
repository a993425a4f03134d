/**
 * A source group named in the request by name (the default-VPC form, `groups.items[].groupName`)
 * is matched to the rule EC2 reports having created, which names it by id: that created rule is
 * what is judged. Judging the request's name-only rule instead revoked a rule that a
 * `security_group: "sg-…"` entry allows.
 */
import { expect } from 'chai';
import { processChange } from '../../function/core/engine';
import { parseEvent } from '../../function/core/event/parse-event';
import { accountAfter, changeOf, engineContext } from '../engine/support';
import { envelope, fixture, ruleLine } from '../helpers/fixtures';

// Derived from a real CloudFormation record (see derived/SOURCES.md): the source group in the
// request by name ("app-servers"), by id (sg-000537769a1c2d858) in the response.
const BY_NAME = 'derived/source-group-by-name-oracle-from-sg-reference-cloudformation-1';
const ORACLE_FROM_APP_SERVERS = { ingress: { allow: [{ security_group: 'sg-000537769a1c2d858', protocol: 'tcp', ports: [1521] }] } };

describe('a source group named in the request', () => {
  it("is read as the created rule, which carries the source group's id and the rule id", () => {
    // Act
    const parsed = parseEvent(envelope(fixture(BY_NAME)));

    // Assess
    if (parsed.kind !== 'change') throw new Error(`expected a change, got ${parsed.kind}`);
    expect(parsed.change.rules.map(ruleLine)).to.deep.equal([
      'ingress sg-01f414f5313452cd1 tcp 1521-1521 security_group:sg-000537769a1c2d858 sgr-02e2ca7d55820dc26',
    ]);
  });

  it('is allowed by a security_group entry naming that id, and nothing is revoked', async () => {
    // Prepare
    const change = changeOf(BY_NAME);
    const ec2 = accountAfter(change);
    const { ctx, notifier } = engineContext(ORACLE_FROM_APP_SERVERS, ec2);

    // Act
    const { report } = await processChange(change, ctx);

    // Assess
    expect(report.findings.map((f) => `${f.source} ${f.verdict} ${f.action}`)).to.deep.equal(['sg-000537769a1c2d858 allowed none']);
    expect(ec2.calls).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('still keeps the name when the record has no created rules to match (older records)', () => {
    // Prepare
    const record = fixture(BY_NAME);
    delete record.detail.responseElements.securityGroupRuleSet;

    // Act
    const parsed = parseEvent(record);

    // Assess
    if (parsed.kind !== 'change') throw new Error(`expected a change, got ${parsed.kind}`);
    expect(parsed.change.rules.map(ruleLine)).to.deep.equal(['ingress sg-01f414f5313452cd1 tcp 1521-1521 security_group:app-servers']);
  });
});
