import { clone, envelope, fixture } from './fixtures';

/** Each malformed event: what is broken, and the path the error must name. */
export const MALFORMED: ReadonlyArray<{ name: string; make: () => unknown; path: RegExp }> = [
  { name: 'not an object', make: () => 'AuthorizeSecurityGroupIngress', path: /\(root\)/ },
  { name: 'an array', make: () => [fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')], path: /\(root\)/ },
  { name: 'null', make: () => null, path: /\(root\)/ },
  { name: 'envelope without detail', make: () => { const e = envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')); delete e.detail; return e; }, path: /^detail/ },
  { name: 'detail is a string', make: () => ({ ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')), detail: '{}' }), path: /^detail/ },
  { name: 'detail-type is a number', make: () => ({ ...envelope(fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids')), 'detail-type': 7 }), path: /detail-type/ },
  { name: 'eventName missing', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); delete r.eventName; return envelope(r); }, path: /detail\.eventName/ },
  { name: 'eventID is a number', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.eventID = 42; return envelope(r); }, path: /detail\.eventID/ },
  { name: 'invalid CIDR', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = '0.0.0.0/33'; return envelope(r); }, path: /ipRanges\.items\[0\]\.cidrIp/ },
  { name: 'IPv6 CIDR in ipRanges', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = '::/0'; return envelope(r); }, path: /ipRanges\.items\[0\]\.cidrIp/ },
  { name: 'port 70000', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items[0].toPort = 70000; return envelope(r); }, path: /items\[0\]\.toPort/ },
  { name: 'port as a word', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items[0].fromPort = 'ssh'; return envelope(r); }, path: /items\[0\]\.fromPort/ },
  { name: 'fromPort above toPort', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items[0].fromPort = 443; return envelope(r); }, path: /items\[0\]/ },
  { name: 'unknown protocol', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items[0].ipProtocol = 'ftp'; return envelope(r); }, path: /ipProtocol/ },
  { name: 'null responseElements', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.responseElements = null; return envelope(r); }, path: /detail\.responseElements/ },
  { name: 'null requestParameters', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters = null; return envelope(r); }, path: /detail\.requestParameters/ },
  { name: 'no group id or name', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); delete r.requestParameters.groupId; return envelope(r); }, path: /requestParameters\.groupId/ },
  { name: 'ipPermissions.items is an object', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); r.requestParameters.ipPermissions.items = { ipProtocol: 'tcp' }; return envelope(r); }, path: /ipPermissions\.items/ },
  { name: 'thousands of distinct rules', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); const item = r.requestParameters.ipPermissions.items[0]; r.requestParameters.ipPermissions.items = Array.from({ length: 3 }, (_, p) => ({ ...clone(item), ipRanges: { items: Array.from({ length: 700 }, (_, i) => ({ cidrIp: `10.${p}.${i % 250}.${Math.floor(i / 250) * 16}/28` })) } })); return envelope(r); }, path: /more than 2000 rules/ },
  { name: 'a source group with neither id nor name', make: () => { const r = fixture('eventbridge-envelope-authorize-ingress-sg-reference-cloudformation-1'); r.detail.requestParameters.ipPermissions.items[0].groups.items[0] = { description: 'x' }; return r; }, path: /groups\.items\[0\]/ },
  { name: 'securityGroupRuleSet item without a source', make: () => { const r = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'); delete r.responseElements.securityGroupRuleSet.items[0].cidrIpv4; return envelope(r); }, path: /securityGroupRuleSet\.items\[0\]/ },
  { name: 'isEgress is a string', make: () => { const r = fixture('authorize-ingress-ssh-world-rule-ids-console-assumedrole'); r.responseElements.securityGroupRuleSet.items[0].isEgress = 'false'; return envelope(r); }, path: /isEgress/ },
  { name: 'Modify without GroupId', make: () => { const r = fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole'); delete r.requestParameters.ModifySecurityGroupRulesRequest.GroupId; return envelope(r); }, path: /ModifySecurityGroupRulesRequest\.GroupId/ },
  { name: 'Modify rule without a source', make: () => { const r = fixture('derived/modify-rules-object-form-from-ssh-world-rule-ids-console-assumedrole'); delete r.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv4; return envelope(r); }, path: /SecurityGroupRule\[0\]\.SecurityGroupRule/ },
  { name: 'a region that is not a region name', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); const e = envelope(r); e.detail.awsRegion = 'us-east-1/../../evil'; return e; }, path: /detail\.awsRegion/ },
  { name: 'no region anywhere', make: () => { const r = fixture('authorize-ingress-ssh-world-go-sdk-no-rule-ids'); delete r.awsRegion; return r; }, path: /awsRegion/ },
];

