/**
 * The module checks the policy at `terraform validate`/`plan` with the same rules the function
 * applies at cold start. One table of good and bad policies goes through both: the function's
 * loader, and the module's own `policy` variable (copied from the synthesized module into a stub
 * module, one module call per policy, one `terraform validate`). A policy either passes both
 * or fails both, and Terraform's message names the problem by its JSON path.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIRECTION_KEYS, DOCUMENT_KEYS, ENTRY_KEYS } from '../../function/core/policy/policy-document.schema';
import { PolicyValidationError, loadPolicy } from '../../function/core/policy/policy';
import { VALIDATED_KEYS } from '../../modules/policy-validation';
import { terraform } from './support/terraform';
import { synthesizedWorkspace } from './support/workspace';

interface PolicyCase {
  readonly name: string;
  /** An object (written with JSON.stringify, as jsonencode would) or raw text. */
  readonly policy: unknown;
  readonly valid: boolean;
  /** What Terraform's message must contain: the problem's JSON path and what is wrong. */
  readonly names?: string;
  /**
   * Set where the contract is ahead of the function's schema (a key or rule the function does
   * not know yet): the function's half is skipped while it disagrees.
   */
  readonly ahead?: string;
}

const entry = (fields: Record<string, unknown>) => ({ ingress: { allow: [fields] } });

const CASES: readonly PolicyCase[] = [
  // Good policies.
  { name: 'an empty policy', policy: {}, valid: true },
  { name: 'report mode only', policy: { mode: 'report' }, valid: true },
  {
    name: 'every key of version 1',
    valid: true,
    policy: {
      version: 1,
      mode: 'enforce',
      action: 'revoke',
      restrict_to: [],
      groups: ['*', 'sg-0123456789abcdef0'],
      exclude_groups: ['sg-0fedcba9876543210'],
      exclude_tags: { 'sg-sentry:ignore': 'true' },
      exempt_principals: ['arn:aws:iam::*:role/terraform-deployer'],
      notify_allowed: true,
      ingress: {
        allow: [
          { cidr: '10.0.0.0/8' },
          { security_group: '*' },
          { prefix_list: 'pl-02cd2c6b' },
          { cidr: '::/0', protocol: 'tcp', ports: [443, '8000-8080'], description: 'web' },
        ],
      },
      egress: { allow: [{ cidr: '0.0.0.0/0' }] },
    },
  },
  {
    name: 'protocol names in any case, numbers and numeric strings carry ports',
    valid: true,
    policy: {
      ingress: {
        allow: [
          { cidr: '10.0.0.0/8', protocol: 'TCP', ports: [22] },
          { cidr: '10.0.0.0/8', protocol: 6, ports: ['0-65535'] },
          { cidr: '10.0.0.0/8', protocol: '17', ports: ['00053'] },
        ],
      },
    },
  },
  {
    name: 'icmp, icmpv6 and protocol numbers without ports',
    valid: true,
    policy: {
      ingress: {
        allow: [
          { cidr: '10.0.0.0/8', protocol: 'icmp' },
          { cidr: 'fc00::/7', protocol: 'icmpv6' },
          { cidr: '10.0.0.0/8', protocol: 50 },
          { cidr: '10.0.0.0/8', protocol: -1 },
        ],
      },
    },
  },
  {
    name: 'IPv6 in capitals, IPv4-mapped IPv6, a CIDR with spaces around it',
    valid: true,
    policy: { ingress: { allow: [{ cidr: 'FC00::/7' }, { cidr: '::ffff:10.0.0.0/104' }, { cidr: ' 10.0.0.0/8 ' }] } },
  },
  { name: 'group ids in capitals', policy: { groups: ['SG-0123456789ABCDEF0'] }, valid: true },
  {
    name: 'restrict to a range the default allowlists allow for all traffic',
    policy: { action: 'restrict', restrict_to: ['10.100.0.0/16', 'fc00::/8'] },
    valid: true,
  },
  {
    name: 'restrict to a range a given ingress entry allows for all traffic',
    valid: true,
    policy: {
      action: 'restrict',
      restrict_to: ['203.0.113.0/24'],
      ingress: { allow: [{ cidr: '203.0.0.0/16', protocol: 'all' }] },
    },
  },
  {
    name: 'time-boxed exceptions and prefix-list inspection',
    valid: true,
    policy: {
      exception_tag: 'sg-sentry:exempt-until',
      max_exception_days: 366,
      exception_approvers: ['arn:aws:iam::*:role/security-approver'],
      inspect_prefix_lists: false,
    },
  },
  { name: 'exceptions disabled with a null tag', policy: { exception_tag: null }, valid: true },
  { name: 'a list of CIDRs in one entry', policy: entry({ cidr: ['10.0.0.0/8', 'fc00::/7'], protocol: 'tcp', ports: [22] }), valid: true },

  // Bad policies: one mistake each.
  { name: 'an unknown top-level key', policy: { mdoe: 'report' }, valid: false, names: 'mdoe: unknown key' },
  { name: 'an unknown key in a direction', policy: { ingress: { allow: [], deny: [] } }, valid: false, names: 'ingress.deny: unknown key' },
  {
    name: 'an unknown key in an entry',
    policy: entry({ cidr: '10.0.0.0/8', port: 22 }),
    valid: false,
    names: 'ingress.allow[0].port: unknown key',
  },
  { name: 'a bad mode', policy: { mode: 'enforced' }, valid: false, names: 'mode: expected "enforce" or "report", got "enforced"' },
  { name: 'a mode that is a number', policy: { mode: 1 }, valid: false, names: 'mode: expected' },
  { name: 'a null mode', policy: { mode: null }, valid: false, names: 'mode: expected' },
  { name: 'a bad action', policy: { action: 'delete' }, valid: false, names: 'action: expected "revoke" or "restrict"' },
  {
    name: 'restrict without restrict_to',
    policy: { action: 'restrict' },
    valid: false,
    names: 'restrict_to: action "restrict" needs at least one CIDR',
  },
  {
    name: 'restrict to a range no ingress entry allows for all traffic',
    policy: { action: 'restrict', restrict_to: ['203.0.113.0/24'] },
    valid: false,
    names: 'restrict_to[0]: 203.0.113.0/24 is not allowed by ingress.allow',
  },
  {
    name: 'restrict to a range an empty egress list does not allow',
    policy: { action: 'restrict', restrict_to: ['10.0.0.0/8'], egress: { allow: [] } },
    valid: false,
    names: 'is not allowed by egress.allow',
  },
  {
    name: 'restrict to a range allowed for tcp only',
    valid: false,
    names: 'restrict_to[0]',
    policy: {
      action: 'restrict',
      restrict_to: ['10.0.0.0/8'],
      ingress: { allow: [{ cidr: '10.0.0.0/8', protocol: 'tcp' }] },
    },
  },
  { name: 'restrict_to as a string', policy: { restrict_to: '10.0.0.0/8' }, valid: false, names: 'restrict_to: expected a list' },
  { name: 'a null in restrict_to', policy: { restrict_to: [null] }, valid: false, names: 'restrict_to[0]: expected a CIDR string' },
  {
    name: 'a CIDR with host bits set',
    policy: entry({ cidr: '10.0.0.1/8' }),
    valid: false,
    names: 'ingress.allow[0].cidr: "10.0.0.1/8" has host bits set',
  },
  { name: 'an IPv6 CIDR with host bits set', policy: entry({ cidr: 'fc00::1/7' }), valid: false, names: 'has host bits set' },
  {
    name: 'an IPv4 prefix over 32',
    policy: entry({ cidr: '10.0.0.0/33' }),
    valid: false,
    names: '"10.0.0.0/33" is not an IPv4 or IPv6 CIDR',
  },
  { name: 'an address without a prefix', policy: entry({ cidr: '10.0.0.0' }), valid: false, names: 'is not an IPv4 or IPv6 CIDR' },
  {
    name: 'an IPv4 octet with a leading zero',
    policy: entry({ cidr: '010.0.0.0/8' }),
    valid: false,
    names: '"010.0.0.0/8" is not an IPv4 or IPv6 CIDR',
  },
  { name: 'an IPv6 zone', policy: entry({ cidr: 'fe80::%eth0/64' }), valid: false, names: 'ingress.allow[0].cidr' },
  {
    name: 'an IPv6 group of five hex digits (its value would fit 16 bits)',
    policy: entry({ cidr: '2001:00db8::/32' }),
    valid: false,
    names: '"2001:00db8::/32" is not an IPv4 or IPv6 CIDR',
  },
  { name: 'an IPv6 group of four hex digits with leading zeros', policy: entry({ cidr: '2001:0db8::/32' }), valid: true },
  { name: 'a CIDR that is a number', policy: entry({ cidr: 10 }), valid: false, names: 'ingress.allow[0].cidr: expected a CIDR string' },
  { name: 'an empty list of CIDRs', policy: entry({ cidr: [] }), valid: false, names: 'ingress.allow[0].cidr: must not be empty' },
  { name: 'no source', policy: entry({ protocol: 'tcp' }), valid: false, names: 'ingress.allow[0]: needs exactly one source' },
  {
    name: 'two sources',
    policy: entry({ cidr: 'fc00::/7', security_group: '*' }),
    valid: false,
    names: 'ingress.allow[0]: has 2 sources (cidr, security_group)',
  },
  {
    name: 'a bad security group selector',
    policy: entry({ security_group: 'sg-123' }),
    valid: false,
    names: 'ingress.allow[0].security_group',
  },
  { name: 'a bad prefix list selector', policy: entry({ prefix_list: 'pl-xyz' }), valid: false, names: 'ingress.allow[0].prefix_list' },
  { name: 'a protocol over 255', policy: entry({ cidr: '10.0.0.0/8', protocol: 256 }), valid: false, names: 'ingress.allow[0].protocol' },
  {
    name: 'a fractional protocol number',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 1.5 }),
    valid: false,
    names: 'ingress.allow[0].protocol',
  },
  {
    name: 'an unknown protocol name',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'sctp' }),
    valid: false,
    names: 'ingress.allow[0].protocol',
  },
  {
    name: 'a port over 65535',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: [70000] }),
    valid: false,
    names: 'ingress.allow[0].ports[0]: port 70000 is outside 0-65535',
  },
  {
    name: 'a port range over 65535',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: ['65000-65536'] }),
    valid: false,
    names: 'ingress.allow[0].ports[0]',
  },
  {
    name: 'a fractional port',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: [22.5] }),
    valid: false,
    names: 'ingress.allow[0].ports[0]: 22.5 is not a whole port number',
  },
  {
    name: 'a port range that runs backwards',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: [443, '90-80'] }),
    valid: false,
    names: 'ingress.allow[0].ports[1]: "90-80" runs backwards',
  },
  {
    name: 'a port that is no number',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: ['ssh'] }),
    valid: false,
    names: 'ingress.allow[0].ports[0]',
  },
  {
    name: 'ports as a string',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: '22' }),
    valid: false,
    names: 'ingress.allow[0].ports: expected a list',
  },
  {
    name: 'an empty port list',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'tcp', ports: [] }),
    valid: false,
    names: 'ingress.allow[0].ports: must not be empty',
  },
  {
    name: 'ports with the default protocol (all)',
    policy: entry({ cidr: '10.0.0.0/8', ports: [22] }),
    valid: false,
    names: 'ingress.allow[0].ports: ports are only allowed with protocol tcp or udp',
  },
  {
    name: 'ports with protocol "-1"',
    policy: entry({ cidr: '10.0.0.0/8', protocol: '-1', ports: [22] }),
    valid: false,
    names: 'ingress.allow[0].ports: ports are only allowed',
  },
  {
    name: 'ports with icmp',
    policy: entry({ cidr: '10.0.0.0/8', protocol: 'icmp', ports: [8] }),
    valid: false,
    names: 'ingress.allow[0].ports: ports are only allowed',
  },
  {
    name: 'a description that is a number',
    policy: entry({ cidr: '10.0.0.0/8', description: 5 }),
    valid: false,
    names: 'ingress.allow[0].description',
  },
  { name: 'a direction that is a list', policy: { egress: [] }, valid: false, names: 'egress: expected an object' },
  { name: 'a null direction', policy: { ingress: null }, valid: false, names: 'ingress: expected an object' },
  { name: 'a direction without allow', policy: { ingress: {} }, valid: false, names: 'ingress.allow' },
  { name: 'allow that is an object', policy: { ingress: { allow: {} } }, valid: false, names: 'ingress.allow: expected a list' },
  { name: 'an entry that is a string', policy: { ingress: { allow: ['10.0.0.0/8'] } }, valid: false, names: 'ingress.allow[0]' },
  { name: 'an empty groups list', policy: { groups: [] }, valid: false, names: 'groups: must not be empty' },
  { name: 'a bad group id', policy: { groups: ['default'] }, valid: false, names: 'groups[0]' },
  { name: 'a bad excluded group id', policy: { exclude_groups: ['sg-123'] }, valid: false, names: 'exclude_groups[0]' },
  { name: '"*" as an excluded group', policy: { exclude_groups: ['*'] }, valid: false, names: 'exclude_groups[0]' },
  {
    name: 'a tag value that is a number',
    policy: { exclude_tags: { team: 1 } },
    valid: false,
    names: 'exclude_tags.team: expected a string tag value',
  },
  { name: 'an empty tag key', policy: { exclude_tags: { '': 'x' } }, valid: false, names: 'exclude_tags' },
  { name: 'exclude_tags as a list', policy: { exclude_tags: ['team'] }, valid: false, names: 'exclude_tags: expected an object' },
  {
    name: 'an empty exempt principal',
    policy: { exempt_principals: [''] },
    valid: false,
    names: 'exempt_principals[0]: must not be empty',
  },
  {
    name: 'exempt_principals as a string',
    policy: { exempt_principals: 'arn:aws:iam::*:role/x' },
    valid: false,
    names: 'exempt_principals: expected a list',
  },
  {
    name: 'an exempt principal that is neither arn:… nor service:…',
    policy: { exempt_principals: ['cloudformation.amazonaws.com'] },
    valid: false,
    names:
      'exempt_principals[0]: "cloudformation.amazonaws.com" would match nothing: write arn:… for a principal or service:<name> for a service acting for one (service:cloudformation.amazonaws.com)',
  },
  { name: 'an exempt principal starting with a star', policy: { exempt_principals: ['**:assumed-role/deployer/*'] }, valid: true },
  {
    name: 'an exempt principal whose text before the star starts no ARN',
    policy: { exempt_principals: ['role/*'] },
    valid: false,
    names: 'exempt_principals[0]: "role/*" would match nothing',
  },
  {
    name: 'an exempt principal naming no service',
    policy: { exempt_principals: ['service:'] },
    valid: false,
    names: 'exempt_principals[0]: "service:" names no service',
  },
  {
    name: 'exempt principals by ARN and by service',
    policy: { exempt_principals: ['arn:aws:sts::*:assumed-role/deployer/*', 'service:cloudformation.amazonaws.com'] },
    valid: true,
  },
  { name: 'notify_allowed as a string', policy: { notify_allowed: 'true' }, valid: false, names: 'notify_allowed: expected true or false' },
  { name: 'version 2', policy: { version: 2 }, valid: false, names: 'version: the only policy version is 1' },
  { name: 'an empty exception tag', policy: { exception_tag: '' }, valid: false, names: 'exception_tag: must not be empty' },
  {
    name: 'max_exception_days of 0',
    policy: { max_exception_days: 0 },
    valid: false,
    names: 'max_exception_days: expected a whole number from 1 to 366',
  },
  { name: 'max_exception_days over 366', policy: { max_exception_days: 367 }, valid: false, names: 'max_exception_days' },
  { name: 'fractional max_exception_days', policy: { max_exception_days: 1.5 }, valid: false, names: 'max_exception_days' },
  {
    name: 'an empty exception approver',
    policy: { exception_approvers: [''] },
    valid: false,
    names: 'exception_approvers[0]: must not be empty',
  },
  {
    name: 'inspect_prefix_lists as a string',
    policy: { inspect_prefix_lists: 'no' },
    valid: false,
    names: 'inspect_prefix_lists: expected true or false',
  },
  {
    name: 'two mistakes at once',
    policy: { mode: 'enforced', ingress: { allow: [{ cidr: '10.0.0.1/8' }] } },
    valid: false,
    names: 'The policy has 2 problem(s)',
  },
];

const text = (policy: unknown) => (typeof policy === 'string' ? policy : JSON.stringify(policy));
const moduleName = (index: number) => `case_${index}`;

/** The function's verdict: undefined when the policy loads, else its problems. */
function functionProblems(policy: unknown): string[] | undefined {
  try {
    loadPolicy(text(policy));
    return undefined;
  } catch (error) {
    if (error instanceof PolicyValidationError) return [...error.problems];
    throw error;
  }
}

describe('policy validation at plan time, in step with the function', function () {
  // One validate of some 75 module calls: about 15 s of CPU, minutes on a shared, loaded machine.
  this.timeout(600_000);
  /** Terraform's messages by case index (empty: the policy passed). */
  const messages = new Map<number, string[]>();

  before(async () => {
    // Prepare: the synthesized `policy` variable alone in a stub module, one call per case.
    const { root, module } = synthesizedWorkspace();
    const dir = join(root, 'policy-validation');
    mkdirSync(join(dir, 'stub'), { recursive: true });
    const variables = module.variable as Record<string, unknown>;
    writeFileSync(join(dir, 'stub', 'main.tf.json'), JSON.stringify({ variable: { policy: variables.policy } }));
    const calls = Object.fromEntries(CASES.map((c, i) => [moduleName(i), { source: './stub', policy: text(c.policy) }]));
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ module: calls }, null, 2));

    // Act: no provider, so init only links the stub.
    const init = await terraform(dir, ['init', '-backend=false', '-no-color']);
    if (init.code !== 0) throw new Error(`terraform init failed: ${init.stderr}`);
    const validate = await terraform(dir, ['validate', '-json', '-no-color']);
    const diagnostics = (JSON.parse(validate.stdout) as { diagnostics: Array<{ detail?: string; snippet?: { context?: string } }> })
      .diagnostics;
    CASES.forEach((_, i) => {
      const contexts = [`module.${moduleName(i)}`, `module "${moduleName(i)}"`];
      messages.set(
        i,
        diagnostics.filter((d) => contexts.includes(d.snippet?.context ?? '')).map((d) => (d.detail ?? '').replace(/\s+/g, ' ')),
      );
    });
    const unattributed = diagnostics.filter((d) => !/case_\d+/.test(d.snippet?.context ?? ''));
    expect(unattributed, JSON.stringify(unattributed)).to.deep.equal([]);
  });

  it("knows every key the function's schema knows, at every level", () => {
    // Assess
    expect(VALIDATED_KEYS.document).to.include.members([...DOCUMENT_KEYS]);
    expect(VALIDATED_KEYS.direction).to.have.members([...DIRECTION_KEYS]);
    expect(VALIDATED_KEYS.entry).to.include.members([...ENTRY_KEYS]);
  });

  CASES.forEach((c, i) => {
    it(`terraform ${c.valid ? 'accepts' : 'rejects'} ${c.name}${c.names ? `, naming ${JSON.stringify(c.names)}` : ''}`, () => {
      // Assess
      const found = messages.get(i)!;
      if (c.valid) {
        expect(found, text(c.policy)).to.deep.equal([]);
      } else {
        expect(found, text(c.policy)).to.have.lengthOf(1);
        expect(found[0]).to.contain(c.names!);
      }
    });

    it(`the function ${c.valid ? 'accepts' : 'rejects'} ${c.name}${c.ahead ? ` (contract ahead of the function: ${c.ahead})` : ''}`, function () {
      // Act
      const problems = functionProblems(c.policy);

      // Assess
      if (c.ahead && (problems === undefined) !== c.valid) this.skip();
      if (c.valid) expect(problems, text(c.policy)).to.equal(undefined);
      else expect(problems, text(c.policy)).to.be.an('array').that.is.not.empty;
    });
  });
});
