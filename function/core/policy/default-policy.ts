/**
 * The embedded default policy: used when none is configured, the source of every
 * omitted key's value, and what `sg-sentry policy default` prints. Deeply frozen, because every
 * compiled policy shares its lists.
 */
import type { EffectivePolicyDocument } from './policy-document.schema';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export const DEFAULT_POLICY_DOCUMENT: EffectivePolicyDocument = deepFreeze({
  mode: 'enforce',
  action: 'revoke',
  restrict_to: [],
  groups: ['*'],
  exclude_groups: [],
  exclude_tags: {},
  exempt_principals: [],
  exception_tag: 'sg-sentry:exempt-until',
  max_exception_days: 30,
  exception_approvers: [],
  inspect_prefix_lists: true,
  notify_allowed: false,
  ingress: {
    allow: [
      { cidr: '10.0.0.0/8', protocol: 'all', description: 'RFC 1918 private network' },
      { cidr: '172.16.0.0/12', protocol: 'all', description: 'RFC 1918 private network' },
      { cidr: '192.168.0.0/16', protocol: 'all', description: 'RFC 1918 private network' },
      { cidr: '100.64.0.0/10', protocol: 'all', description: 'RFC 6598 shared address space (carrier-grade NAT)' },
      { cidr: 'fc00::/7', protocol: 'all', description: 'RFC 4193 IPv6 unique local addresses' },
      { security_group: '*', protocol: 'all', description: 'any security group reference' },
      {
        prefix_list: '*',
        protocol: 'all',
        description: 'AWS-managed prefix lists, and customer-managed ones whose every entry is allowed',
      },
      { cidr: '0.0.0.0/0', protocol: 'tcp', ports: [80, 443], description: 'public HTTP and HTTPS (IPv4)' },
      { cidr: '::/0', protocol: 'tcp', ports: [80, 443], description: 'public HTTP and HTTPS (IPv6)' },
    ],
  },
  egress: {
    allow: [
      { cidr: '0.0.0.0/0', protocol: 'all', description: 'all outbound IPv4 traffic' },
      { cidr: '::/0', protocol: 'all', description: 'all outbound IPv6 traffic' },
      { security_group: '*', protocol: 'all', description: 'any security group reference' },
      {
        prefix_list: '*',
        protocol: 'all',
        description: 'AWS-managed prefix lists, and customer-managed ones whose every entry is allowed',
      },
    ],
  },
});
