/**
 * The policy document, version 1, as users write it: JSON with snake_case keys,
 * every key optional (omitted keys take the embedded default's value, see `policy.ts`), and
 * unknown keys rejected everywhere, because a typo (`mdoe`, `exclude_group`) must never
 * silently weaken enforcement.
 *
 * The schema validates only; it does not transform. Its output is the document as written, so
 * the effective document can be printed back in the user's own terms. `policy.ts` compiles it.
 */
import * as z from 'zod';
import { networkText, parseCidr } from '../model/cidr';
import type { Protocol } from '../model/rule';
import { canonicalProtocol, hasPorts, type PortRange } from '../model/protocol';

const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/i;
const PREFIX_LIST_ID = /^pl-[0-9a-f]+$/i;
const PORT_SPEC = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const PROTOCOL_NAMES = new Set(['all', 'tcp', 'udp', 'icmp', 'icmpv6']);
const PROTOCOL_HINT = 'expected all, tcp, udp, icmp, icmpv6 or a protocol number 0-255 (-1 = all)';

/** The ways a CIDR in the policy can be wrong, as a message; undefined when it is fine. */
function cidrProblem(text: string): string | undefined {
  const range = parseCidr(text);
  if (!range) return `${JSON.stringify(text)} is not an IPv4 or IPv6 CIDR (like 10.0.0.0/8 or fc00::/7)`;
  if (range.hostBitsSet) return `${range.text} has host bits set; did you mean ${networkText(range)}?`;
  return undefined;
}

/**
 * The canonical protocol of an entry's `protocol` value (`'-1'` for all traffic), or undefined
 * when the value is not one the policy accepts. Names are case-insensitive; numbers may be
 * JSON numbers or decimal strings.
 */
export function entryProtocol(value: string | number | undefined): Protocol | undefined {
  if (value === undefined) return '-1';
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -1 && value <= 255 ? canonicalProtocol(value) : undefined;
  }
  if (PROTOCOL_NAMES.has(value.toLowerCase()) || /^(?:-1|\d{1,3})$/.test(value)) return canonicalProtocol(value);
  return undefined;
}

/** A `ports` element (`443`, `"443"` or `"8000-8080"`) as an inclusive range, or what is wrong with it. */
export function portRange(spec: number | string): { range: PortRange } | { problem: string } {
  let from: number;
  let to: number;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec)) return { problem: `${spec} is not a whole port number` };
    from = to = spec;
  } else {
    const match = PORT_SPEC.exec(spec);
    if (!match) return { problem: `${JSON.stringify(spec)} is not a port or a "from-to" range like "8000-8080"` };
    from = Number(match[1]);
    to = match[2] === undefined ? from : Number(match[2]);
  }
  for (const port of [from, to]) {
    if (port < 0 || port > 65535) return { problem: `port ${port} is outside 0-65535` };
  }
  if (from > to) return { problem: `"${from}-${to}" runs backwards; did you mean "${to}-${from}"?` };
  return { range: [from, to] };
}

const cidrSchema = z.string({ error: 'expected a CIDR string like 10.0.0.0/8' }).superRefine((text, ctx) => {
  const problem = cidrProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const securityGroupIdSchema = z
  .string({ error: 'expected a security group id like sg-0123456789abcdef0' })
  .regex(SECURITY_GROUP_ID, { error: 'expected a security group id like sg-0123456789abcdef0' });

const groupSelectorSchema = z
  .string({ error: 'expected a security group id like sg-0123456789abcdef0 or "*"' })
  .refine((text) => text === '*' || SECURITY_GROUP_ID.test(text), {
    error: 'expected a security group id like sg-0123456789abcdef0 or "*"',
  });

const prefixListSelectorSchema = z
  .string({ error: 'expected a prefix list id like pl-02cd2c6b or "*"' })
  .refine((text) => text === '*' || PREFIX_LIST_ID.test(text), {
    error: 'expected a prefix list id like pl-02cd2c6b or "*"',
  });

const protocolSchema = z.union([z.string(), z.number()], { error: PROTOCOL_HINT }).superRefine((value, ctx) => {
  if (entryProtocol(value) === undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)}: ${PROTOCOL_HINT}` });
});

const portSpecSchema = z
  .union([z.number(), z.string()], { error: 'expected a port number or a "from-to" string like "8000-8080"' })
  .superRefine((spec, ctx) => {
    const result = portRange(spec);
    if ('problem' in result) ctx.addIssue({ code: 'custom', message: result.problem });
  });

/**
 * A pattern of who may do something: `arn:…` globs match the principal's ARN and its issuer,
 * `service:<name>` globs the service that called for it (`userIdentity.invokedBy`). A pattern
 * that can match neither (its text before the first star starts no ARN and no `service:`) is
 * refused rather than left to silently exempt no one; `**` or `*:role/x` can match, so pass.
 */
function canMatchPrincipal(pattern: string): boolean {
  const literal = pattern.split('*')[0] ?? '';
  const starred = pattern.includes('*');
  return ['arn:', 'service:'].some((prefix) => literal.startsWith(prefix) || (starred && prefix.startsWith(literal)));
}

export const principalPatternSchema = z
  .string({ error: 'expected a glob string' })
  .min(1, { error: 'must not be empty' })
  .superRefine((pattern, ctx) => {
    // An empty pattern has been reported by min(1) already.
    if (pattern === '') return;
    if (/\s/.test(pattern)) {
      // A stray space (a heredoc, a copy from a console) would silently exempt or approve no one.
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(pattern)} holds white space, which no ARN or service name has` });
    } else if (pattern === 'service:') {
      ctx.addIssue({ code: 'custom', message: '"service:" names no service, e.g. service:cloudformation.amazonaws.com' });
    } else if (!canMatchPrincipal(pattern)) {
      const service = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/.test(pattern) ? pattern : 'cloudformation.amazonaws.com';
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(pattern)} would match nothing: write arn:… for a principal or service:<name> for a service acting for one (service:${service})`,
      });
    }
  });

const SOURCE_KEYS = ['cidr', 'security_group', 'prefix_list'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One CIDR, or a list of them sharing the entry's protocol and ports (keeps big allowlists small). */
const cidrOrCidrsSchema = z.union([cidrSchema, z.array(cidrSchema).min(1, { error: 'must not be empty' })], {
  error: 'expected a CIDR string like 10.0.0.0/8, or a list of them',
});

const entrySchema = z
  .strictObject({
    cidr: cidrOrCidrsSchema.optional(),
    security_group: groupSelectorSchema.optional(),
    prefix_list: prefixListSelectorSchema.optional(),
    protocol: protocolSchema.optional(),
    ports: z
      .array(portSpecSchema, { error: 'expected an array of ports like [80, 443, "8000-8080"]' })
      .min(1, { error: 'must not be empty; omit ports to allow every port' })
      .optional(),
    description: z.string({ error: 'expected a string' }).optional(),
  })
  // Cross-field rules. `when` makes them run even when a field failed its own check, so that
  // every problem of an entry is reported at once; fields are therefore read as unknown.
  .superRefine(
    (entry: Record<string, unknown>, ctx) => {
      const sources = SOURCE_KEYS.filter((key) => entry[key] !== undefined);
      if (sources.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'needs exactly one source: cidr, security_group or prefix_list' });
      } else if (sources.length > 1) {
        ctx.addIssue({ code: 'custom', message: `has ${sources.length} sources (${sources.join(', ')}); write one entry per source` });
      }
      const { protocol, ports } = entry;
      if (ports === undefined) return;
      if (protocol !== undefined && typeof protocol !== 'string' && typeof protocol !== 'number') return;
      const canonical = entryProtocol(protocol);
      if (canonical === undefined || hasPorts(canonical)) return;
      const named = canonical === '-1' ? 'all' : canonical;
      ctx.addIssue({
        code: 'custom',
        path: ['ports'],
        message:
          `ports are only allowed with protocol tcp or udp (6 or 17), but protocol is ${named}` +
          (protocol === undefined ? ' (the default); set protocol to tcp or udp' : ''),
      });
    },
    { when: (payload) => isRecord(payload.value) },
  );

const directionSchema = z.strictObject(
  { allow: z.array(entrySchema, { error: 'expected an array of allow entries' }) },
  { error: 'expected an object {"allow": [...]}' },
);

const POLICY_MODES = ['enforce', 'report'] as const;
const POLICY_ACTIONS = ['revoke', 'restrict'] as const;

export const PolicyDocumentSchema = z.strictObject({
  version: z.literal(1, { error: 'the only policy version is 1' }).optional(),
  mode: z.enum(POLICY_MODES, { error: 'expected "enforce" or "report"' }).optional(),
  action: z.enum(POLICY_ACTIONS, { error: 'expected "revoke" or "restrict"' }).optional(),
  restrict_to: z.array(cidrSchema, { error: 'expected an array of CIDR strings' }).optional(),
  groups: z
    .array(groupSelectorSchema, { error: 'expected an array of security group ids, or ["*"]' })
    // An empty list would watch nothing and look like enforcement.
    .min(1, { error: 'must not be empty (to stop acting, use "mode": "report")' })
    .optional(),
  exclude_groups: z.array(securityGroupIdSchema, { error: 'expected an array of security group ids' }).optional(),
  exclude_tags: z
    .record(
      // zod skips a `__proto__` key; policy.ts reports it rather than letting it vanish.
      z.string().min(1, { error: 'tag keys must not be empty' }),
      z.string({ error: 'expected a string tag value' }),
      // The record's own message would also answer a bad key; the key's problem is said instead.
      { error: (issue) => (issue.code === 'invalid_key' ? 'tag keys must not be empty' : 'expected an object of tag key to tag value') },
    )
    .optional(),
  exempt_principals: z.array(principalPatternSchema, { error: 'expected an array of ARN glob patterns' }).optional(),
  /** The group tag whose value (a UTC time or a date) exempts the group's violations until then; null disables. */
  exception_tag: z
    .string({ error: 'expected a tag key, or null to disable exceptions' })
    .min(1, { error: 'must not be empty' })
    .nullable()
    .optional(),
  max_exception_days: z
    .number({ error: 'expected a whole number from 1 to 366' })
    .int({ error: 'expected a whole number from 1 to 366' })
    .min(1, { error: 'expected a whole number from 1 to 366' })
    .max(366, { error: 'expected a whole number from 1 to 366' })
    .optional(),
  /**
   * Who may set the exception tag; empty = anyone who can tag the group. Matched like
   * exempt_principals, so refused like them when a pattern could match no one: every exception
   * tag would otherwise be removed.
   */
  exception_approvers: z.array(principalPatternSchema, { error: 'expected an array of ARN glob patterns' }).optional(),
  inspect_prefix_lists: z.boolean({ error: 'expected true or false' }).optional(),
  /** Whether an event whose rules are all allowed still sends a notification (default false). */
  notify_allowed: z.boolean({ error: 'expected true or false' }).optional(),
  ingress: directionSchema.optional(),
  egress: directionSchema.optional(),
});

/** The document as written (every key optional). */
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type PolicyEntryDocument = z.infer<typeof entrySchema>;
/** The document with every default filled in: what `sg-sentry policy default` prints. */
export type EffectivePolicyDocument = Required<Omit<PolicyDocument, 'version'>> & Pick<PolicyDocument, 'version'>;

/** The keys each object of the document accepts, for "did you mean" hints. */
export const DOCUMENT_KEYS: readonly string[] = Object.keys(PolicyDocumentSchema.shape);
export const DIRECTION_KEYS: readonly string[] = Object.keys(directionSchema.shape);
export const ENTRY_KEYS: readonly string[] = Object.keys(entrySchema.shape);
