/**
 * Changes built to slip past a security-group watcher. Each case starts from a real CloudTrail
 * record, changes one thing, names what it would bypass in a weaker tool, and pins exactly
 * which revoke calls sg-sentry makes, through the handler and the SDK adapters.
 *
 * The SDK clients are mocked per instance (not per class) so that this file and
 * handler.test.ts, which mocks the classes, never replace each other's stubs.
 */
import { expect } from 'chai';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2ClientResolvedConfig,
  type SecurityGroupRule,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Ec2Adapter } from '../../function/adapters/ec2-adapter';
import { SnsNotifier } from '../../function/adapters/sns-adapter';
import type { EventReport } from '../../function/core/report/report';
import { contextFromEnvironment } from '../../function/environment';
import { createHandler } from '../../function/handler';
import { awsError } from '../helpers/aws-errors';
import { clone, envelope, fixture } from '../helpers/fixtures';
import { withOwnSend } from '../helpers/own-send';

const TOPIC = 'arn:aws:sns:us-east-1:776520358045:sg-sentry';
/** Real records the cases start from. */
const GO_SDK = 'authorize-ingress-ssh-world-go-sdk-no-rule-ids';
const CONSOLE = 'authorize-ingress-ssh-world-rule-ids-console-assumedrole';
const LEGACY = 'authorize-ingress-legacy-toplevel-cidrip-stratus';
const EGRESS_ALL = 'authorize-egress-all-traffic-terraform-no-rule-ids';
const MODIFY = 'derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole';

type Revoke = { readonly direction: 'ingress' | 'egress'; readonly input: Record<string, unknown> };

interface Outcome {
  readonly report: EventReport;
  readonly revokes: Revoke[];
  readonly published: { subject: string; email: string; json: string } | undefined;
}

interface AdversarialCase {
  readonly name: string;
  readonly from: string;
  /** What a weaker tool would let through. */
  readonly bypasses: string;
  readonly policy?: Record<string, unknown>;
  /** Lambda environment beyond the policy (the function's own role and name). */
  readonly env?: Record<string, string>;
  /** DescribeSecurityGroupRules answer, for ModifySecurityGroupRules. */
  readonly existing?: SecurityGroupRule[];
  readonly make: () => Record<string, any>;
  readonly revokes: Revoke[];
  /** EC2 answers beyond the defaults (every call succeeds, DescribeSecurityGroupRules gives `existing`). */
  readonly ec2?: (ec2: Ec2Mock) => void;
  /** What the violations' action must be; default `revoked`. */
  readonly violationAction?: string;
  readonly assess?: (outcome: Outcome) => void;
}

type Ec2Mock = AwsStub<ServiceInputTypes, ServiceOutputTypes, EC2ClientResolvedConfig>;

function sshPermission(
  sources: { ipRanges?: string[]; ipv6Ranges?: string[] },
  protocol: string | number = 'tcp',
  ports: [number, number] | null = [22, 22],
) {
  return {
    ipProtocol: protocol,
    ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
    groups: {},
    ipRanges: sources.ipRanges ? { items: sources.ipRanges.map((cidrIp) => ({ cidrIp })) } : {},
    ipv6Ranges: sources.ipv6Ranges ? { items: sources.ipv6Ranges.map((cidrIpv6) => ({ cidrIpv6 })) } : {},
    prefixListIds: {},
  };
}

/** The go-sdk record (no rule ids) with its one permission replaced. */
function goSdkWith(...permissions: unknown[]) {
  const record = fixture(GO_SDK);
  record.requestParameters.ipPermissions.items = permissions;
  return envelope(record);
}

const GO_GROUP = 'sg-0d921df5d84f7270a';
const CONSOLE_GROUP = 'sg-0632fa4ee8a8468a4';
const CONSOLE_RULE = 'sgr-09be5c962afdc06ed';
const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22 };

function ruleId(i: number): string {
  return `sgr-${i.toString(16).padStart(17, '0')}`;
}

const EVIL_DESCRIPTION =
  'ok</b><script>alert(1)</script>\r\nSubject: all clear\u0007\u001b[2J\u202egnp.exe\u2028<a href="https://evil.example">verify</a>';

const CASES: readonly AdversarialCase[] = [
  {
    name: 'the world split in two halves: 0.0.0.0/1 + 128.0.0.0/1',
    from: GO_SDK,
    bypasses: 'a check for the literal string "0.0.0.0/0"',
    make: () => goSdkWith(sshPermission({ ipRanges: ['0.0.0.0/1', '128.0.0.0/1'] })),
    revokes: [
      {
        direction: 'ingress',
        input: {
          GroupId: GO_GROUP,
          IpPermissions: [
            { ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/1' }] },
            { ...ssh, IpRanges: [{ CidrIp: '128.0.0.0/1' }] },
          ],
        },
      },
    ],
  },
  {
    name: 'the world split in sixteen /4s',
    from: GO_SDK,
    bypasses: 'a check for "/0" or for prefixes shorter than /8',
    make: () => goSdkWith(sshPermission({ ipRanges: Array.from({ length: 16 }, (_, i) => `${i * 16}.0.0.0/4`) })),
    revokes: [
      {
        direction: 'ingress',
        input: {
          GroupId: GO_GROUP,
          IpPermissions: Array.from({ length: 16 }, (_, i) => ({ ...ssh, IpRanges: [{ CidrIp: `${i * 16}.0.0.0/4` }] })),
        },
      },
    ],
  },
  {
    name: 'protocol "6" instead of "tcp", rule ids known',
    from: CONSOLE,
    bypasses: 'a deny rule written for ipProtocol == "tcp"',
    make: () => {
      const record = fixture(CONSOLE);
      record.requestParameters.ipPermissions.items[0].ipProtocol = '6';
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: 'protocol 6 as a number, no rule ids: revoked as the tcp permission EC2 stored',
    from: GO_SDK,
    bypasses: 'a string comparison of ipProtocol',
    make: () => goSdkWith(sshPermission({ ipRanges: ['0.0.0.0/0'] }, 6)),
    revokes: [{ direction: 'ingress', input: { GroupId: GO_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } }],
  },
  {
    name: 'protocol "6" on world HTTPS is the allowed tcp/443, not a violation',
    from: GO_SDK,
    bypasses: '(the other way round) a tool that treats an unfamiliar spelling as an alarm and revokes legitimate rules',
    make: () => goSdkWith(sshPermission({ ipRanges: ['0.0.0.0/0'] }, '6', [443, 443])),
    revokes: [],
    assess: ({ report }) => expect(report.findings.map((f) => f.verdict)).to.deep.equal(['allowed']),
  },
  {
    name: 'all traffic (-1) carrying stray ports 443-443',
    from: GO_SDK,
    bypasses: 'a port check that sees "443" and matches the world-HTTPS allowance, though -1 opens every port',
    make: () => goSdkWith(sshPermission({ ipRanges: ['0.0.0.0/0'] }, '-1', [443, 443])),
    revokes: [
      { direction: 'ingress', input: { GroupId: GO_GROUP, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: 'a CIDR with host bits set: 10.99.0.1/1 is 0.0.0.0/1',
    from: LEGACY,
    bypasses: 'a check that reads the address (10.x, private) and not the prefix EC2 applies',
    make: () => {
      const record = fixture(LEGACY);
      record.requestParameters.cidrIp = '10.99.0.1/1';
      // EC2 echoes the CIDR as written, as the real record does for 208.236.235.254/0.
      record.responseElements.securityGroupRuleSet.items[0].cidrIpv4 = '10.99.0.1/1';
      return envelope(record);
    },
    revokes: [
      {
        direction: 'ingress',
        input: { GroupId: 'sg-003dc7f1f1c686164', IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '10.99.0.1/1' }] }] },
      },
    ],
    assess: ({ report }) => expect(report.findings[0]?.reason).to.contain('10.99.0.1/1 (= 0.0.0.0/1)'),
  },
  {
    name: 'the IPv4-mapped IPv6 range ::ffff:0:0/96',
    from: GO_SDK,
    bypasses: 'an IPv4-only check, or one that compares IPv6 sources against "::/0" only',
    make: () => goSdkWith(sshPermission({ ipv6Ranges: ['::ffff:0:0/96'] })),
    revokes: [
      { direction: 'ingress', input: { GroupId: GO_GROUP, IpPermissions: [{ ...ssh, Ipv6Ranges: [{ CidrIpv6: '::ffff:0:0/96' }] }] } },
    ],
  },
  {
    name: 'an IPv4-mapped "private" range ::ffff:10.0.0.0/104 is judged as the IPv6 range it is',
    from: GO_SDK,
    bypasses: 'a tool that unmaps ::ffff:a.b.c.d to IPv4 and lets it through as 10.0.0.0/8',
    make: () => goSdkWith(sshPermission({ ipv6Ranges: ['::ffff:10.0.0.0/104'] })),
    revokes: [
      {
        direction: 'ingress',
        input: { GroupId: GO_GROUP, IpPermissions: [{ ...ssh, Ipv6Ranges: [{ CidrIpv6: '::ffff:10.0.0.0/104' }] }] },
      },
    ],
  },
  {
    name: 'the IPv6 world written longhand: 0:0:0:0:0:0:0:0/0',
    from: GO_SDK,
    bypasses: 'a check for the literal string "::/0"',
    make: () => goSdkWith(sshPermission({ ipv6Ranges: ['0:0:0:0:0:0:0:0/0'] })),
    revokes: [
      { direction: 'ingress', input: { GroupId: GO_GROUP, IpPermissions: [{ ...ssh, Ipv6Ranges: [{ CidrIpv6: '0:0:0:0:0:0:0:0/0' }] }] } },
    ],
  },
  {
    name: '500 permissions in one call, one of them bad (index 437)',
    from: CONSOLE,
    bypasses: 'a tool that looks at the first permission, or the first page of them',
    make: () => {
      const record = fixture(CONSOLE);
      const permission = record.requestParameters.ipPermissions.items[0];
      const created = record.responseElements.securityGroupRuleSet.items[0];
      const cidr = (i: number) => (i === 437 ? '0.0.0.0/0' : `10.${Math.floor(i / 250)}.${i % 250}.0/24`);
      record.requestParameters.ipPermissions.items = Array.from({ length: 500 }, (_, i) => ({
        ...clone(permission),
        ipRanges: { items: [{ cidrIp: cidr(i) }] },
      }));
      record.responseElements.securityGroupRuleSet.items = Array.from({ length: 500 }, (_, i) => ({
        ...clone(created),
        securityGroupRuleId: ruleId(i),
        cidrIpv4: cidr(i),
      }));
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    assess: ({ report }) => {
      expect(report.findings).to.have.length(500);
      expect(report.findings.filter((f) => f.verdict === 'violation').map((f) => f.rule_id)).to.deep.equal([ruleId(437)]);
    },
  },
  {
    name: 'a description carrying markup, line breaks, terminal escapes and bidi overrides',
    from: CONSOLE,
    bypasses: 'a notifier that pastes event text into the mail or chat, letting the caller forge lines ("Subject: all clear") or links',
    make: () => {
      const record = fixture(CONSOLE);
      record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description = EVIL_DESCRIPTION;
      record.responseElements.securityGroupRuleSet.items[0].description = EVIL_DESCRIPTION;
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    assess: ({ published, report }) => {
      if (published === undefined) throw new Error('nothing was published');
      // Line breaks in the email are only the ones sg-sentry writes; no control or bidi character passes raw.
      expect(published.email).to.not.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      expect(published.email.split('\n').some((line) => line.startsWith('Subject:'))).to.equal(false);
      expect(published.email).to.contain('\\u000d\\u000aSubject: all clear\\u0007\\u001b[2J\\u202egnp.exe\\u2028');
      expect(published.subject).to.match(/^[\x20-\x7e]{1,100}$/);
      // The machine report keeps the text exactly, as data inside a JSON string.
      expect(JSON.parse(published.json).findings[0].description).to.equal(EVIL_DESCRIPTION);
      expect(report.findings[0]?.action).to.equal('revoked');
    },
  },
  {
    name: 'upper-case group and rule ids against a policy that lists the group in lower case',
    from: CONSOLE,
    policy: { groups: [CONSOLE_GROUP] },
    bypasses: 'a case-sensitive "is this group watched?" lookup',
    make: () => {
      const record = fixture(CONSOLE);
      record.requestParameters.groupId = CONSOLE_GROUP.toUpperCase();
      const created = record.responseElements.securityGroupRuleSet.items[0];
      created.groupId = CONSOLE_GROUP.toUpperCase();
      created.securityGroupRuleId = CONSOLE_RULE.toUpperCase();
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: 'the same permission twice in one call; EC2 created one rule',
    from: CONSOLE,
    bypasses: 'a matcher that pairs request and response one to one and loses the rule id, or revokes twice and fails',
    make: () => {
      const record = fixture(CONSOLE);
      const items = record.requestParameters.ipPermissions.items;
      items.push(clone(items[0]));
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: 'the same world range twice in one permission, no rule ids',
    from: GO_SDK,
    bypasses: 'a tool that de-duplicates after judging and revokes a permission EC2 no longer has',
    make: () => goSdkWith(sshPermission({ ipRanges: ['0.0.0.0/0', '0.0.0.0/0'] })),
    revokes: [{ direction: 'ingress', input: { GroupId: GO_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } }],
  },
  {
    name: 'ModifySecurityGroupRules widens an allowed 10.0.0.0/8 rule to 0.0.0.0/0',
    from: MODIFY,
    existing: [
      {
        SecurityGroupRuleId: CONSOLE_RULE,
        GroupId: CONSOLE_GROUP,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '0.0.0.0/0',
      },
    ],
    bypasses: 'a tool that watches only Authorize* calls, since the rule id already existed and was allowed',
    make: () => envelope(fixture(MODIFY)),
    revokes: [{ direction: 'ingress', input: { GroupId: CONSOLE_GROUP, SecurityGroupRuleIds: [CONSOLE_RULE] } }],
  },
  {
    name: 'ModifySecurityGroupRules widens allowed world HTTPS to every tcp port',
    from: MODIFY,
    existing: [
      {
        SecurityGroupRuleId: CONSOLE_RULE,
        GroupId: CONSOLE_GROUP,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 0,
        ToPort: 65535,
        CidrIpv4: '0.0.0.0/0',
      },
    ],
    bypasses: 'a tool that re-checks only the source of a modified rule, not its ports',
    make: () => {
      const record = fixture(MODIFY);
      Object.assign(record.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule, {
        FromPort: 0,
        ToPort: 65535,
      });
      return envelope(record);
    },
    revokes: [{ direction: 'ingress', input: { GroupId: CONSOLE_GROUP, SecurityGroupRuleIds: [CONSOLE_RULE] } }],
  },
  {
    name: 'legacy top-level cidrIp 0.0.0.0/0 without ipProtocol or ports',
    from: LEGACY,
    bypasses: 'a tool that reads only ipPermissions.items (empty here) or needs ipProtocol to build a rule',
    make: () => {
      const record = fixture(LEGACY);
      record.requestParameters = { groupId: 'sg-003dc7f1f1c686164', ipPermissions: {}, cidrIp: '0.0.0.0/0' };
      record.responseElements = { _return: true, requestId: record.responseElements.requestId };
      return envelope(record);
    },
    revokes: [
      {
        direction: 'ingress',
        input: { GroupId: 'sg-003dc7f1f1c686164', IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
      },
    ],
  },
  {
    name: 'all-traffic egress to the internet under a restrictive egress policy',
    from: EGRESS_ALL,
    policy: { egress: { allow: [{ cidr: '10.0.0.0/8' }] } },
    bypasses: 'an ingress-only watcher (exfiltration goes out, not in)',
    make: () => envelope(fixture(EGRESS_ALL)),
    revokes: [
      {
        direction: 'egress',
        input: {
          GroupId: 'sg-03eee825d6bb78f54',
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      },
    ],
  },
  {
    name: "a forged Authorize event that names a legitimate rule's id with world-open content",
    from: CONSOLE,
    bypasses:
      '(breaks) a tool that revokes the rule id an event claims: anyone with lambda:InvokeFunction, a replayed dead letter, or a late event after ModifySecurityGroupRules kept the id, deletes a legitimate rule',
    make: () => {
      const record = fixture(CONSOLE);
      record.eventID = 'forged-0000-0000-0000-000000000000';
      return envelope(record);
    },
    // Only a rule that still opens tcp/22 to the world can match this revoke.
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: 'an IAM user whose path spells :role/terraform-deployer, against an exemption for that role',
    from: CONSOLE,
    policy: { exempt_principals: ['arn:aws:iam::*:role/terraform-deployer'] },
    bypasses:
      'a glob whose * crosses : and /, so arn:aws:iam::*:role/terraform-deployer matches arn:aws:iam::…:user/:role/terraform-deployer',
    make: () => {
      const record = fixture(CONSOLE);
      record.userIdentity = {
        type: 'IAMUser',
        principalId: 'AIDA3JTBYLCOQ7EXAMPLE',
        arn: 'arn:aws:iam::776520358045:user/:role/terraform-deployer',
        accountId: '776520358045',
        userName: 'terraform-deployer',
      };
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: "someone who assumed sg-sentry's own role by hand",
    from: CONSOLE,
    env: { SENTRY_SELF_ROLE_ARN: 'arn:aws:iam::776520358045:role/voclabs', AWS_LAMBDA_FUNCTION_NAME: 'sg-sentry' },
    bypasses: "a self-exemption that covers every session of the function's role instead of the function's own session",
    make: () => envelope(fixture(CONSOLE)),
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
  },
  {
    name: 'one call of 500 private IPv4 ranges, 500 private IPv6 ranges and the world, 1,001 rules created',
    from: CONSOLE,
    bypasses:
      'a size bound that adds the request and the response together (2,002 > 2,000) and refuses the event, leaving its world rule open',
    make: () => {
      const record = fixture(CONSOLE);
      const v4 = [...Array.from({ length: 500 }, (_, i) => `10.${Math.floor(i / 250)}.${i % 250}.0/24`), '0.0.0.0/0'];
      const v6 = Array.from({ length: 500 }, (_, i) => `fd00:0:0:${i.toString(16)}::/64`);
      const permission = record.requestParameters.ipPermissions.items[0];
      permission.ipRanges = { items: v4.map((cidrIp) => ({ cidrIp })) };
      permission.ipv6Ranges = { items: v6.map((cidrIpv6) => ({ cidrIpv6 })) };
      const template = record.responseElements.securityGroupRuleSet.items[0];
      const sources = [...v4.map((cidrIpv4) => ({ cidrIpv4 })), ...v6.map((cidrIpv6) => ({ cidrIpv6, cidrIpv4: undefined }))];
      record.responseElements.securityGroupRuleSet.items = sources.map((source, i) =>
        clone({ ...template, ...source, securityGroupRuleId: ruleId(i) }),
      );
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    assess: ({ report }) => expect(report.findings).to.have.length(1001),
  },
  {
    name: 'a source group named by name in the request (default VPC), by id in the response, against an entry naming its id',
    from: 'derived/source-group-by-name-oracle-from-sg-reference-cloudformation-1',
    policy: { ingress: { allow: [{ security_group: 'sg-000537769a1c2d858', protocol: 'tcp', ports: [1521] }] } },
    bypasses:
      '(breaks) a matcher that pairs request and response by source text: "app-servers" never equals sg-000537769a1c2d858, so the name-only rule is judged against the entry naming the id and a legitimate rule is revoked',
    make: () => fixture('derived/source-group-by-name-oracle-from-sg-reference-cloudformation-1'),
    revokes: [],
    assess: ({ report }) => expect(report.findings.map((f) => `${f.source} ${f.verdict}`)).to.deep.equal(['sg-000537769a1c2d858 allowed']),
  },
  {
    name: 'a new group under an egress allowlist of private space, keeping the default all-traffic egress rule',
    from: 'create-security-group-terraform-2020',
    policy: { egress: { allow: [{ cidr: '10.0.0.0/8' }] } },
    existing: [
      {
        SecurityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaa1',
        GroupId: 'sg-04d018d184a18f647',
        IsEgress: true,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: '0.0.0.0/0',
      },
    ],
    bypasses:
      'a watcher of Authorize* calls only: EC2 adds the default egress rule to every new group, and no Authorize event ever names it',
    make: () => envelope(fixture('create-security-group-terraform-2020')),
    revokes: [{ direction: 'egress', input: { GroupId: 'sg-04d018d184a18f647', SecurityGroupRuleIds: ['sgr-0aaaaaaaaaaaaaaa1'] } }],
  },
  {
    name: 'a world-open ssh permission beside one the parser rejects (port 70000)',
    from: CONSOLE,
    existing: [
      {
        SecurityGroupRuleId: CONSOLE_RULE,
        GroupId: CONSOLE_GROUP,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '0.0.0.0/0',
      },
    ],
    bypasses:
      'a tool that drops the whole event as invalid when one item cannot be read, so the world-open rule beside it stays and nobody hears of it',
    make: () => {
      const record = fixture(CONSOLE);
      const items = record.requestParameters.ipPermissions.items;
      items.push({ ...clone(items[0]), fromPort: 70000, toPort: 70000 });
      return envelope(record);
    },
    revokes: [{ direction: 'ingress', input: { GroupId: CONSOLE_GROUP, SecurityGroupRuleIds: [CONSOLE_RULE] } }],
    assess: ({ report }) => expect(report.unreadable_event?.problems.join(' ')).to.contain('fromPort'),
  },
  {
    name: 'a world-open call whose record has a null responseElements',
    from: CONSOLE,
    existing: [
      {
        SecurityGroupRuleId: CONSOLE_RULE,
        GroupId: CONSOLE_GROUP,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '0.0.0.0/0',
      },
    ],
    bypasses: 'a parser that refuses a record missing its response (a forwarder that strips it), leaving the rule open',
    make: () => {
      const record = fixture(CONSOLE);
      record.responseElements = null;
      return envelope(record);
    },
    revokes: [{ direction: 'ingress', input: { GroupId: CONSOLE_GROUP, SecurityGroupRuleIds: [CONSOLE_RULE] } }],
  },
  {
    name: 'a group named "(ALL CLEAR - auto test, no action needed)"',
    from: CONSOLE,
    policy: { exclude_tags: { 'sg-sentry': 'off' } },
    bypasses: 'a notifier that pastes the group name into the subject bare, so the subject tells the reader the revert needs no attention',
    ec2: (ec2) =>
      ec2
        .on(DescribeSecurityGroupsCommand)
        .resolves({ SecurityGroups: [{ GroupId: CONSOLE_GROUP, GroupName: '(ALL CLEAR - auto test, no action needed)', Tags: [] }] }),
    make: () => envelope(fixture(CONSOLE)),
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    assess: ({ published }) => expect(published?.subject).to.match(/^sg-sentry: revoked .* on sg-0632fa4ee8a8468a4 "\(ALL CLEAR[^"]*"$/),
  },
  {
    name: 'a description with zero-width characters around a phishing link',
    from: CONSOLE,
    bypasses:
      "a notifier that passes invisible characters and live links through, so the email hides text or offers the attacker's link to click",
    make: () => {
      const record = fixture(CONSOLE);
      const description = 'ticket\u200b\u2060\ufeff: approve at https://evil.example/approve';
      record.requestParameters.ipPermissions.items[0].ipRanges.items[0].description = description;
      record.responseElements.securityGroupRuleSet.items[0].description = description;
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    assess: ({ published }) => {
      expect(published?.email).to.contain('ticket\\u200b\\u2060\\ufeff: approve at hxxps://evil[.]example/approve');
      expect(published?.email).not.to.match(/[\u200b\u2060\ufeff]|https:\/\/evil/);
    },
  },
  {
    name: 'a user agent of 100,000 non-ASCII characters (300 KB in UTF-8)',
    from: CONSOLE,
    bypasses:
      '(breaks) a notifier that bounds string length, not bytes: the publish is refused as too large and nobody hears of the revoke',
    make: () => {
      const record = fixture(CONSOLE);
      record.userAgent = '日本'.repeat(50_000);
      return envelope(record);
    },
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    assess: ({ published }) => {
      if (published === undefined) throw new Error('nothing was published');
      expect(Buffer.byteLength(JSON.stringify({ default: published.json, email: published.email }), 'utf8')).to.be.at.most(256 * 1024);
    },
  },
  {
    name: 'a group deleted before its event is processed, under a policy with exclude_tags',
    from: CONSOLE,
    policy: { exclude_tags: { 'sg-sentry': 'off' } },
    bypasses:
      '(breaks) a handler that throws InvalidGroup.NotFound from the tags read: two retries, a dead letter and an error alarm for a group that is gone',
    ec2: (ec2) => {
      ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('InvalidGroup.NotFound', 'client', 400));
      ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidGroup.NotFound', 'client', 400));
    },
    make: () => envelope(fixture(CONSOLE)),
    revokes: [
      { direction: 'ingress', input: { GroupId: CONSOLE_GROUP, IpPermissions: [{ ...ssh, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } },
    ],
    violationAction: 'already-removed',
    assess: ({ published }) => expect(JSON.parse(published?.json ?? '{}').findings[0]?.action).to.equal('already-removed'),
  },
];

describe('adversarial changes', () => {
  const ec2Client = withOwnSend(new EC2Client({ region: 'us-east-1' }));
  const snsClient = withOwnSend(new SNSClient({ region: 'us-east-1' }));
  const ec2 = mockClient(ec2Client);
  const sns = mockClient(snsClient);
  after(() => {
    ec2.restore();
    sns.restore();
  });

  async function run(c: AdversarialCase): Promise<Outcome> {
    ec2.reset();
    sns.reset();
    ec2.onAnyCommand().resolves({});
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: c.existing ?? [] });
    // Every group asked for exists, without tags.
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input: { GroupIds?: string[] }) => ({
      SecurityGroups: (input.GroupIds ?? []).map((GroupId) => ({ GroupId, Tags: [] })),
    }));
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    c.ec2?.(ec2);
    const env = { ...(c.policy ? { SENTRY_POLICY: JSON.stringify(c.policy) } : {}), ...c.env };
    const ctx = contextFromEnvironment(env, {
      portsFor: () => ({ ec2: new Ec2Adapter(ec2Client) }),
      notifier: new SnsNotifier(snsClient, TOPIC),
      log: () => undefined,
    });
    const report = (await createHandler(ctx)(c.make())) as EventReport;
    const revokes: Revoke[] = [
      ...ec2
        .commandCalls(RevokeSecurityGroupIngressCommand)
        .map((call) => ({ direction: 'ingress' as const, input: { ...call.args[0].input } })),
      ...ec2
        .commandCalls(RevokeSecurityGroupEgressCommand)
        .map((call) => ({ direction: 'egress' as const, input: { ...call.args[0].input } })),
    ];
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const message = publish ? JSON.parse(publish.Message as string) : undefined;
    const published = publish
      ? { subject: publish.Subject ?? '', email: message.email as string, json: message.default as string }
      : undefined;
    return { report, revokes, published };
  }

  for (const c of CASES) {
    it(`${c.name} — would bypass ${c.bypasses}`, async () => {
      // Prepare: the case's event, built from the real record c.from
      expect(c.from).to.be.a('string');

      // Act
      const outcome = await run(c);

      // Assess
      expect(outcome.report.status, JSON.stringify(outcome.report)).to.equal('processed');
      expect(outcome.revokes).to.deep.equal(c.revokes);
      const violations = outcome.report.findings.filter((f) => f.verdict === 'violation');
      expect(
        violations.every((f) => f.action === (c.violationAction ?? 'revoked')),
        JSON.stringify(violations),
      ).to.equal(true);
      c.assess?.(outcome);
    });
  }
});
