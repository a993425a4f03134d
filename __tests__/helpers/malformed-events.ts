import { clone, envelope, fixture } from './fixtures';

/**
 * Input that is not a watched event sg-sentry can recognise, or that contradicts itself: an
 * `invalid` report naming the bad field, and nothing else. Each: what is broken, and the path the
 * error must name.
 */
export const MALFORMED: ReadonlyArray<{ name: string; make: () => unknown; path: RegExp }> = [
  { name: 'not an object', make: () => 'AuthorizeSecurityGroupIngress', path: /\(root\)/ },
  { name: 'an array', make: () => [fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')], path: /\(root\)/ },
  { name: 'null', make: () => null, path: /\(root\)/ },
  {
    name: 'envelope without detail',
    make: () => {
      const e = envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'));
      delete e.detail;
      return e;
    },
    path: /^detail/,
  },
  {
    name: 'detail is a string',
    make: () => ({ ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')), detail: '{}' }),
    path: /^detail/,
  },
  {
    name: 'detail-type is a number',
    make: () => ({ ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')), 'detail-type': 7 }),
    path: /detail-type/,
  },
  {
    name: 'eventName missing',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      delete r.eventName;
      return envelope(r);
    },
    path: /detail\.eventName/,
  },
  {
    name: 'eventSource missing',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      delete r.eventSource;
      return envelope(r);
    },
    path: /detail\.eventSource/,
  },
  {
    name: 'eventName is a number',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.eventName = 7;
      return envelope(r);
    },
    path: /detail\.eventName/,
  },
  {
    name: 'source is a number',
    make: () => ({ ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')), source: 7 }),
    path: /^source/,
  },
  {
    name: 'an envelope region that is not a region name',
    make: () => ({ ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')), region: 'us-east-1/../../evil' }),
    path: /^region/,
  },
  {
    name: 'an unreadable watched event whose envelope names another account',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].toPort = 70000;
      return { ...envelope(r), account: '999999999999' };
    },
    path: /^account: "999999999999" differs from detail\.recipientAccountId/,
  },
  {
    name: 'a region that is not a region name',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      const e = envelope(r);
      e.detail.awsRegion = 'us-east-1/../../evil';
      return e;
    },
    path: /detail\.awsRegion/,
  },
];

/**
 * Watched events (EC2, a watched name, a call that succeeded) that cannot be read: never dropped.
 * `groups` are what the record still names (judged as they are now); none, or no region
 * (`region: false`), means the event could not be checked at all.
 */
export const UNREADABLE_WATCHED: ReadonlyArray<{
  name: string;
  make: () => unknown;
  path: RegExp;
  groups: readonly string[];
  region?: false;
}> = [
  {
    name: 'eventID is a number',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.eventID = 42;
      return envelope(r);
    },
    path: /detail\.eventID/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'invalid CIDR',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = '0.0.0.0/33';
      return envelope(r);
    },
    path: /ipRanges\.items\[0\]\.cidrIp/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'IPv6 CIDR in ipRanges',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = '::/0';
      return envelope(r);
    },
    path: /ipRanges\.items\[0\]\.cidrIp/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'port 70000',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].toPort = 70000;
      return envelope(r);
    },
    path: /items\[0\]\.toPort/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'port as a word',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].fromPort = 'ssh';
      return envelope(r);
    },
    path: /items\[0\]\.fromPort/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'fromPort above toPort',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].fromPort = 443;
      return envelope(r);
    },
    path: /items\[0\]/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'unknown protocol',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items[0].ipProtocol = 'ftp';
      return envelope(r);
    },
    path: /ipProtocol/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'null responseElements',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.responseElements = null;
      return envelope(r);
    },
    path: /detail\.responseElements/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'null requestParameters',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters = null;
      return envelope(r);
    },
    path: /detail\.requestParameters/,
    groups: [],
  },
  {
    name: 'no group id or name',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      delete r.requestParameters.groupId;
      return envelope(r);
    },
    path: /requestParameters\.groupId/,
    groups: [],
  },
  {
    name: 'ipPermissions.items is an object',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      r.requestParameters.ipPermissions.items = { ipProtocol: 'tcp' };
      return envelope(r);
    },
    path: /ipPermissions\.items/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'thousands of distinct rules',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      const item = r.requestParameters.ipPermissions.items[0];
      r.requestParameters.ipPermissions.items = Array.from({ length: 3 }, (_, p) => ({
        ...clone(item),
        ipRanges: { items: Array.from({ length: 700 }, (_, i) => ({ cidrIp: `10.${p}.${i % 250}.${Math.floor(i / 250) * 16}/28` })) },
      }));
      return envelope(r);
    },
    path: /more than 2000 rules/,
    groups: ['sg-0d921df5d84f7270a'],
  },
  {
    name: 'a source group with neither id nor name',
    make: () => {
      const r = fixture('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1');
      r.detail.requestParameters.ipPermissions.items[0].groups.items[0] = { description: 'x' };
      return r;
    },
    path: /groups\.items\[0\]/,
    groups: ['sg-01f414f5313452cd1'],
  },
  {
    name: 'securityGroupRuleSet item without a source',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
      delete r.responseElements.securityGroupRuleSet.items[0].cidrIpv4;
      return envelope(r);
    },
    path: /securityGroupRuleSet\.items\[0\]/,
    groups: ['sg-0632fa4ee8a8468a4'],
  },
  {
    name: 'isEgress is a string',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole');
      r.responseElements.securityGroupRuleSet.items[0].isEgress = 'false';
      return envelope(r);
    },
    path: /isEgress/,
    groups: ['sg-0632fa4ee8a8468a4'],
  },
  {
    name: 'Modify without GroupId',
    make: () => {
      const r = fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole');
      delete r.requestParameters.ModifySecurityGroupRulesRequest.GroupId;
      return envelope(r);
    },
    path: /ModifySecurityGroupRulesRequest\.GroupId/,
    groups: [],
  },
  {
    name: 'Modify rule without a source',
    make: () => {
      const r = fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole');
      delete r.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv4;
      return envelope(r);
    },
    path: /SecurityGroupRule\[0\]\.SecurityGroupRule/,
    groups: ['sg-0632fa4ee8a8468a4'],
  },
  {
    name: 'no region anywhere',
    make: () => {
      const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids');
      delete r.awsRegion;
      return r;
    },
    path: /awsRegion/,
    groups: ['sg-0d921df5d84f7270a'],
    region: false,
  },
];
