import { expect } from 'chai';
import { parseEvent } from '../../function/core/event/parse-event';
import { EnvelopeMismatchError, EventValidationError } from '../../function/core/errors';
import { envelope, fixture, fixtureNames, ruleLine } from '../helpers/fixtures';
import { MALFORMED, UNREADABLE_WATCHED } from '../helpers/malformed-events';

/** Every real fixture and the exact rules it normalizes to (empty: ignored). */
const REAL: Record<string, { rules: string[] } | { ignored: RegExp } | { prefixList: string; added: string[] }> = {
  'authorize-egress-all-traffic-terraform-no-rule-ids': { rules: ['egress sg-03eee825d6bb78f54 -1 cidr:0.0.0.0/0'] },
  'authorize-egress-all-traffic-v4-v6-console-no-rule-ids': {
    rules: ['egress sg-0299796957cc35b44 -1 cidr:0.0.0.0/0', 'egress sg-0299796957cc35b44 -1 cidr:::/0'],
  },
  'authorize-egress-tcp4444-rule-ids-cli-instance-role': {
    rules: ['egress sg-038ccc3a1f7b05f42 tcp 4444-4444 cidr:73.21.4.36/32 sgr-02bdc373eac599585'],
  },
  'authorize-ingress-https-panther-normalized-string-ports': { rules: ['ingress sg-04f0b44316f7d2471 tcp 443-443 cidr:0.0.0.0/16'] },
  'authorize-ingress-legacy-toplevel-cidrip-stratus': {
    rules: ['ingress sg-003dc7f1f1c686164 tcp 22-22 cidr:208.236.235.254/0 sgr-09b3e3d2ca1edf2a2'],
  },
  'authorize-ingress-mysql-world-v4-v6-console-no-rule-ids': {
    rules: ['ingress sg-0fa72d6ba38a0ca4a tcp 3306-3306 cidr:0.0.0.0/0', 'ingress sg-0fa72d6ba38a0ca4a tcp 3306-3306 cidr:::/0'],
  },
  'authorize-ingress-ssh-cidr-rule-ids-cli-grimoire': {
    rules: ['ingress sg-0f63fecfa17ef4fee tcp 22-22 cidr:203.0.113.0/24 sgr-027eb7c59241731e0'],
  },
  'authorize-ingress-ssh-world-go-sdk-no-rule-ids': { rules: ['ingress sg-0d921df5d84f7270a tcp 22-22 cidr:0.0.0.0/0'] },
  'authorize-ingress-ssh-world-rule-ids-console-assumedrole': {
    rules: ['ingress sg-0632fa4ee8a8468a4 tcp 22-22 cidr:0.0.0.0/0 sgr-09be5c962afdc06ed'],
  },
  'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1': {
    rules: ['ingress sg-01f414f5313452cd1 tcp 1521-1521 security_group:sg-000537769a1c2d858 sgr-02e2ca7d55820dc26'],
  },
  'eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-2': {
    rules: ['ingress sg-01f414f5313452cd1 tcp 1521-1521 security_group:sg-0e4d6b8a99395a608 sgr-052f232f61106d4c4'],
  },
  'eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root': {
    rules: ['ingress sg-012498864e98e1916 tcp 25-25 cidr:0.0.0.0/0 sgr-0e802a56a6c63d2ba'],
  },
  'eventbridge-envelope-authorize-ingress-ssh-world-v4-v6-console-root-2021': {
    rules: ['ingress sg-0db7d4784c4db8612 tcp 22-22 cidr:0.0.0.0/0', 'ingress sg-0db7d4784c4db8612 tcp 22-22 cidr:::/0'],
  },
  'create-security-group-console-2021': { rules: [] },
  'create-security-group-terraform-2020': { rules: [] },
  'create-security-group-terraform-tag-specification': { rules: [] },
  'delete-security-group-by-id-eks-service-role': { ignored: /DeleteSecurityGroup/ },
  'delete-security-group-by-name-terraform': { ignored: /DeleteSecurityGroup/ },
  'ec2-runinstances-error-client-unauthorizedoperation-stratus': { ignored: /RunInstances/ },
  'eventbridge-envelope-revoke-ingress-console-2019': { ignored: /RevokeSecurityGroupIngress/ },
  'revoke-egress-ssh-rdp-console': { ignored: /RevokeSecurityGroupEgress/ },
  'revoke-ingress-mysql-v4-v6-console-unknown-ip-permission-set': { ignored: /RevokeSecurityGroupIngress/ },
  'modify-managed-prefix-list-add-entry-console-abridged': { prefixList: 'pl-0c3516b0e5630bf3e', added: ['71.131.0.0/16 My IP Range'] },
};

describe('parseEvent on the real CloudTrail fixtures', () => {
  it('has an expectation for every fixture in the corpus', () => {
    expect(Object.keys(REAL).sort()).to.deep.equal(fixtureNames('cloudtrail').sort());
  });

  for (const [name, expected] of Object.entries(REAL)) {
    it(`normalizes ${name}`, () => {
      // Prepare
      const event = envelope(fixture(name));

      // Act
      const parsed = parseEvent(event);

      // Assess
      if ('ignored' in expected) {
        expect(parsed.kind).to.equal('ignored');
        if (parsed.kind === 'ignored') expect(parsed.reason).to.match(expected.ignored);
        return;
      }
      if ('prefixList' in expected) {
        expect(parsed.kind).to.equal('prefix-list-change');
        if (parsed.kind !== 'prefix-list-change') return;
        expect(parsed.change.prefixListId).to.equal(expected.prefixList);
        expect(parsed.change.addedEntries?.map((e) => `${e.cidr} ${e.description}`)).to.deep.equal(expected.added);
        return;
      }
      expect(parsed.kind).to.equal('change');
      if (parsed.kind !== 'change') return;
      expect(parsed.change.rules.map(ruleLine)).to.deep.equal(expected.rules);
    });
  }

  it('reads a bare CloudTrail record as well as an envelope', () => {
    const record = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');

    const bare = parseEvent(record);
    const wrapped = parseEvent(envelope(record));

    expect(bare).to.deep.equal(wrapped);
  });

  it('takes who, where and when from the record', () => {
    const parsed = parseEvent(fixture('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1'));

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.principal).to.deep.include({
      arn: 'arn:aws:sts::770203350335:assumed-role/Shibboleth-InfraMgt/wrh@bu.edu',
      issuerArn: 'arn:aws:iam::770203350335:role/Shibboleth-InfraMgt',
      invokedBy: 'cloudformation.amazonaws.com',
      type: 'AssumedRole',
    });
    expect(parsed.change).to.deep.include({
      account: '770203350335',
      region: 'us-east-1',
      eventId: '50dd3491-f4bc-4a04-a4e0-db6d5311049d',
    });
  });

  it('ignores a security-group call that failed, whatever it asked for', () => {
    const record = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
    record.errorCode = 'Client.InvalidPermission.Duplicate';
    record.errorMessage = 'the specified rule already exists';

    const parsed = parseEvent(envelope(record));

    expect(parsed).to.deep.include({ kind: 'ignored' });
    if (parsed.kind === 'ignored') expect(parsed.reason).to.contain('Client.InvalidPermission.Duplicate');
  });

  it('ignores events from other sources', () => {
    const event = {
      ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')),
      'detail-type': 'EC2 Instance State-change Notification',
    };

    expect(parseEvent(event).kind).to.equal('ignored');
  });

  it('recognises the scheduled sweep', () => {
    const event = {
      version: '0',
      id: 'x',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-27T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: {},
    };

    expect(parseEvent(event)).to.deep.equal({
      kind: 'sweep',
      sweep: { eventId: 'x', account: '123456789012', region: 'eu-west-1', time: '2026-11-27T10:00:00Z' },
    });
  });
});

describe('parseEvent on derived variants', () => {
  it('reads ModifySecurityGroupRules with one update as an object, direction left to look up', () => {
    const parsed = parseEvent(envelope(fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole')));

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.rules).to.deep.equal([]);
    expect(parsed.change.undirectedRules).to.deep.equal([
      {
        groupId: 'sg-0632fa4ee8a8468a4',
        ruleId: 'sgr-09be5c962afdc06ed',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        source: { kind: 'cidr', cidr: '0.0.0.0/0', family: 'ipv4' },
        description: 'temporary',
      },
    ]);
  });

  it('reads ModifySecurityGroupRules with an array of updates and string ports', () => {
    const parsed = parseEvent(
      envelope(fixture('derived/modify-rules-array-form-string-ports-from-ssh-world-rule-ids-console-assumedrole')),
    );

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.undirectedRules.map((r) => [r.ruleId, r.protocol, r.fromPort, r.toPort])).to.deep.equal([
      ['sgr-09be5c962afdc06ed', 'tcp', 22, 22],
      ['sgr-0aa0c1d2e3f405060', 'tcp', 3389, 3389],
    ]);
  });

  it('keeps the group name when the default-VPC form names no group id', () => {
    const parsed = parseEvent(envelope(fixture('derived/group-name-form-no-rule-ids-from-ssh-world-go-sdk')));

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.groupId).to.equal(undefined);
    expect(parsed.change.rules.map(ruleLine)).to.deep.equal(['ingress name:default tcp 22-22 cidr:0.0.0.0/0']);
  });

  it('matches each requested source to the rule id EC2 created for it', () => {
    const parsed = parseEvent(
      envelope(fixture('derived/multi-source-private-ssh-world-ssh-world-https-from-ssh-world-rule-ids-console-assumedrole')),
    );

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.rules.map(ruleLine)).to.deep.equal([
      'ingress sg-0632fa4ee8a8468a4 tcp 22-22 cidr:10.1.0.0/16 sgr-01a1a1a1a1a1a1a11',
      'ingress sg-0632fa4ee8a8468a4 tcp 22-22 cidr:0.0.0.0/0 sgr-02b2b2b2b2b2b2b22',
      'ingress sg-0632fa4ee8a8468a4 tcp 443-443 cidr:0.0.0.0/0 sgr-03c3c3c3c3c3c3c33',
    ]);
  });

  it('drops stray ports from an all-traffic rule', () => {
    const record = fixture('derived/all-traffic-protocol-minus-one-world-from-ssh-world-go-sdk');
    record.requestParameters.ipPermissions.items[0].fromPort = 22;
    record.requestParameters.ipPermissions.items[0].toPort = 22;

    const parsed = parseEvent(envelope(record));

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.rules.map(ruleLine)).to.deep.equal(['ingress sg-0d921df5d84f7270a -1 cidr:0.0.0.0/0']);
  });

  it('keeps a created rule the request did not mention, since it exists either way', () => {
    const record = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
    record.requestParameters.ipPermissions = {};

    const parsed = parseEvent(envelope(record));

    if (parsed.kind !== 'change') throw new Error('expected a change');
    expect(parsed.change.rules.map(ruleLine)).to.deep.equal([
      'ingress sg-0632fa4ee8a8468a4 tcp 22-22 cidr:0.0.0.0/0 sgr-09be5c962afdc06ed',
    ]);
  });
});

describe('parseEvent on malformed input', () => {
  for (const c of MALFORMED) {
    it(`rejects ${c.name} with an error naming the bad field`, () => {
      const event = c.make();

      let caught: unknown;
      try {
        parseEvent(event);
      } catch (error) {
        caught = error;
      }

      expect(caught).to.be.instanceOf(EventValidationError);
      const problems = (caught as EventValidationError).problems;
      expect(
        problems.some((p) => c.path.test(p)),
        problems.join(' | '),
      ).to.equal(true);
    });
  }
});

describe('parseEvent on watched events it cannot read', () => {
  for (const c of UNREADABLE_WATCHED) {
    it(`returns ${c.name} as unreadable, naming the bad field and the groups the record still names`, () => {
      // Prepare
      const event = c.make();

      // Act
      const parsed = parseEvent(event);

      // Assess
      if (parsed.kind !== 'unreadable') throw new Error(`expected unreadable, got ${parsed.kind}`);
      const { problems, groupIds, region } = parsed.unreadable;
      expect(
        problems.some((p) => c.path.test(p)),
        problems.join(' | '),
      ).to.equal(true);
      expect(groupIds).to.deep.equal(c.groups);
      expect(region === undefined).to.equal(c.region === false);
    });
  }
});

describe('parseEvent on an envelope that contradicts its record', () => {
  const SAMPLE = 'eventbridge-envelope-authorize-ingress-smtp-world-rule-ids-root';

  it("accepts a real envelope, whose account and region are the record's own", () => {
    // Act
    const parsed = parseEvent(fixture(SAMPLE));

    // Assess
    expect(parsed.kind).to.equal('change');
  });

  it('rejects a changed account or region with an EnvelopeMismatchError naming both values', () => {
    // Prepare
    const real = fixture(SAMPLE);
    const moved = { ...real, account: '999999999999', region: real.region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1' };

    // Act
    let caught: unknown;
    try {
      parseEvent(moved);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).to.be.instanceOf(EnvelopeMismatchError);
    expect((caught as EnvelopeMismatchError).problems).to.deep.equal([
      `account: "999999999999" differs from detail.recipientAccountId "${real.detail.recipientAccountId}"`,
      `region: "${moved.region}" differs from detail.awsRegion "${real.detail.awsRegion}"`,
    ]);
  });
});
