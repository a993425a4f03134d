/**
 * Loads a policy document and compiles it into the form the evaluator reads:
 * CIDRs parsed once, protocols canonical, ports as ranges, globs compiled. An invalid policy
 * fails loudly with every problem listed, each naming its JSON path; nothing silently defaults.
 */
import { cidrContains, networkText, parseCidr, type CidrRange } from '../model/cidr';
import type { PortRange } from '../model/protocol';
import type { Direction, Protocol } from '../model/rule';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy';
import { compileGlob, type Glob } from './glob';
import { formatIssues } from './problems';
import {
  PolicyDocumentSchema,
  entryProtocol,
  portRange,
  type EffectivePolicyDocument,
  type PolicyDocument,
  type PolicyEntryDocument,
} from './policy-document.schema';
import { messageOf } from '../errors';

export type PolicyMode = EffectivePolicyDocument['mode'];
export type PolicyAction = EffectivePolicyDocument['action'];

export type EntrySource =
  | { readonly kind: 'cidr'; readonly range: CidrRange }
  /** `'*'` or a lower-cased group id. */
  | { readonly kind: 'security_group'; readonly groupId: string }
  /** `'*'` or a lower-cased prefix list id. */
  | { readonly kind: 'prefix_list'; readonly prefixListId: string };

/** One compiled `allow` entry. */
export interface PolicyEntry {
  readonly direction: Direction;
  /** Position in `<direction>.allow`, for reasons such as `allowed by ingress.allow[0]`. */
  readonly index: number;
  readonly source: EntrySource;
  /** Canonical (see protocol.ts); `'-1'` for `all`. */
  readonly protocol: Protocol;
  /** Inclusive ranges; undefined = every port (and every ICMP type/code). */
  readonly ports?: readonly PortRange[];
  readonly description?: string;
  /** Short text: `ingress.allow[7] (0.0.0.0/0, tcp/80,443)`. */
  readonly label: string;
}

/** A glob of `exempt_principals` or `exception_approvers`. */
export interface PrincipalPattern extends Glob {
  /** Position in its list. */
  readonly index: number;
}

export interface Policy {
  readonly mode: PolicyMode;
  readonly action: PolicyAction;
  readonly restrictTo: readonly CidrRange[];
  /** `'*'` or the lower-cased group ids to watch. */
  readonly groups: '*' | ReadonlySet<string>;
  /** Lower-cased group ids that are never touched. */
  readonly excludeGroups: ReadonlySet<string>;
  readonly excludeTags: Readonly<Record<string, string>>;
  readonly exemptPrincipals: readonly PrincipalPattern[];
  /** The tag that holds a time-boxed exception; null: exceptions are off. */
  readonly exceptionTag: string | null;
  readonly maxExceptionDays: number;
  /** Who may set the exception tag; empty = anyone who can tag. */
  readonly exceptionApprovers: readonly PrincipalPattern[];
  /** Judge customer-managed prefix lists by their entries. */
  readonly inspectPrefixLists: boolean;
  readonly notifyAllowed: boolean;
  readonly ingress: readonly PolicyEntry[];
  readonly egress: readonly PolicyEntry[];
  /** The effective document, defaults filled in, for printing. */
  readonly document: Readonly<EffectivePolicyDocument>;
}

/** The policy is invalid; `problems` names every mistake with its JSON path. */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid sg-sentry policy (${count}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, options);
    this.problems = problems;
  }
}

/**
 * Validates and compiles a policy document (already parsed from JSON). Omitted keys take the
 * default document's value; a given `ingress` or `egress` replaces that direction's list.
 * @throws PolicyValidationError listing every problem.
 */
export function parsePolicy(input: unknown): Policy {
  const result = PolicyDocumentSchema.safeParse(input, { reportInput: true });
  const problems = [...(result.success ? [] : formatIssues(result.error.issues)), ...droppedKeyProblems(input)];
  // When some keys are invalid, the valid ones are still checked against one another, so
  // that one load reports every problem; checks that involve an invalid key are skipped.
  const { data, valid } = result.success ? { data: result.data, valid: () => true } : salvage(input);
  const policy = compile(effectiveDocument(data));
  problems.push(...semanticProblems(policy, valid));
  if (problems.length > 0) throw new PolicyValidationError(problems);
  return policy;
}

type DocumentKey = keyof typeof PolicyDocumentSchema.shape;

/** The keys of an invalid document that are valid on their own (absent keys count as valid). */
function salvage(input: unknown): { data: PolicyDocument; valid: (key: DocumentKey) => boolean } {
  const data: Record<string, unknown> = {};
  const validKeys = new Set<string>();
  if (isRecord(input)) {
    for (const [key, schema] of Object.entries(PolicyDocumentSchema.shape)) {
      const result = schema.safeParse(input[key]);
      if (result.success) {
        data[key] = result.data;
        validKeys.add(key);
      }
    }
  }
  return { data: data as PolicyDocument, valid: (key) => validKeys.has(key) };
}

/**
 * Loads the policy from its JSON text (e.g. the `SENTRY_POLICY` value). Undefined, empty or
 * whitespace-only text means the embedded default policy.
 * @throws PolicyValidationError for invalid JSON (the SyntaxError chained as cause) or an invalid policy.
 */
export function loadPolicy(text: string | undefined): Policy {
  if (text === undefined || text.trim() === '') return parsePolicy({});
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const detail = messageOf(error);
    throw new PolicyValidationError([`policy: not valid JSON: ${detail}`], { cause: error });
  }
  return parsePolicy(input);
}

function effectiveDocument(data: PolicyDocument): EffectivePolicyDocument {
  const d = DEFAULT_POLICY_DOCUMENT;
  // Key by key with `??`, not a spread: an explicit `undefined` from a JS caller must not
  // erase a default.
  const document: EffectivePolicyDocument = {
    ...(data.version === undefined ? {} : { version: data.version }),
    mode: data.mode ?? d.mode,
    action: data.action ?? d.action,
    restrict_to: data.restrict_to ?? d.restrict_to,
    groups: data.groups ?? d.groups,
    exclude_groups: data.exclude_groups ?? d.exclude_groups,
    exclude_tags: data.exclude_tags ?? d.exclude_tags,
    exempt_principals: data.exempt_principals ?? d.exempt_principals,
    // `null` is a value here (exceptions off), so only an absent key takes the default.
    exception_tag: data.exception_tag === undefined ? d.exception_tag : data.exception_tag,
    max_exception_days: data.max_exception_days ?? d.max_exception_days,
    exception_approvers: data.exception_approvers ?? d.exception_approvers,
    inspect_prefix_lists: data.inspect_prefix_lists ?? d.inspect_prefix_lists,
    notify_allowed: data.notify_allowed ?? d.notify_allowed,
    ingress: data.ingress ?? d.ingress,
    egress: data.egress ?? d.egress,
  };
  return Object.freeze(document);
}

function compile(document: EffectivePolicyDocument): Policy {
  return Object.freeze({
    mode: document.mode,
    action: document.action,
    restrictTo: Object.freeze(document.restrict_to.map(mustParseCidr)),
    groups: document.groups.includes('*') ? '*' : new Set(document.groups.map((id) => id.toLowerCase())),
    excludeGroups: new Set(document.exclude_groups.map((id) => id.toLowerCase())),
    excludeTags: Object.freeze({ ...document.exclude_tags }),
    exemptPrincipals: compilePatterns(document.exempt_principals),
    exceptionTag: document.exception_tag,
    maxExceptionDays: document.max_exception_days,
    exceptionApprovers: compilePatterns(document.exception_approvers),
    inspectPrefixLists: document.inspect_prefix_lists,
    notifyAllowed: document.notify_allowed,
    ingress: compileEntries('ingress', document.ingress.allow),
    egress: compileEntries('egress', document.egress.allow),
    document,
  });
}

function compilePatterns(patterns: readonly string[]): readonly PrincipalPattern[] {
  return Object.freeze(patterns.map((pattern, index) => Object.freeze({ ...compileGlob(pattern), index })));
}

/**
 * An entry whose `cidr` is a list compiles to one entry per CIDR, each labelled with its place
 * in the list (`ingress.allow[3].cidr[1]`), so that reasons name the range that matched.
 */
function compileEntries(direction: Direction, entries: readonly PolicyEntryDocument[]): readonly PolicyEntry[] {
  return Object.freeze(
    entries.flatMap((entry, index) => {
      if (!Array.isArray(entry.cidr)) return [compileEntry(direction, index, entry, sourceOf(entry))];
      return entry.cidr.map((cidr, position) =>
        compileEntry(direction, index, entry, { kind: 'cidr', range: mustParseCidr(cidr) }, `.cidr[${position}]`),
      );
    }),
  );
}

function sourceOf(entry: PolicyEntryDocument): EntrySource {
  // The schema has vetted every value, so the fallbacks are unreachable.
  if (typeof entry.cidr === 'string') return { kind: 'cidr', range: mustParseCidr(entry.cidr) };
  if (entry.security_group !== undefined) return { kind: 'security_group', groupId: entry.security_group.toLowerCase() };
  return { kind: 'prefix_list', prefixListId: (entry.prefix_list ?? '').toLowerCase() };
}

function compileEntry(direction: Direction, index: number, entry: PolicyEntryDocument, source: EntrySource, place = ''): PolicyEntry {
  const protocol = entryProtocol(entry.protocol) ?? unreachable(`protocol ${String(entry.protocol)}`);
  const ports = entry.ports?.map((spec) => {
    const result = portRange(spec);
    return 'range' in result ? result.range : unreachable(result.problem);
  });
  const label = `${direction}.allow[${index}]${place} (${entrySourceText(source)}, ${entryTrafficText(protocol, ports)})`;
  return Object.freeze({
    direction,
    index,
    source,
    protocol,
    ...(ports === undefined ? {} : { ports: Object.freeze(ports) }),
    ...(entry.description === undefined ? {} : { description: entry.description }),
    label,
  });
}

function entrySourceText(source: EntrySource): string {
  switch (source.kind) {
    case 'cidr':
      return source.range.text;
    case 'security_group':
      return source.groupId === '*' ? 'any security group' : source.groupId;
    case 'prefix_list':
      return source.prefixListId === '*' ? 'any prefix list' : source.prefixListId;
  }
}

function entryTrafficText(protocol: Protocol, ports: readonly PortRange[] | undefined): string {
  const name = protocol === '-1' ? 'all' : /^\d+$/.test(protocol) ? `protocol ${protocol}` : protocol;
  if (ports === undefined) return name;
  return `${name}/${ports.map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(',')}`;
}

function mustParseCidr(text: string): CidrRange {
  return parseCidr(text) ?? unreachable(`CIDR ${text}`);
}

function unreachable(what: string): never {
  throw new Error(`sg-sentry policy compiler: ${what} passed validation but does not compile`);
}

/** zod skips a `__proto__` record key (assigning it would set the prototype); say so instead. */
function droppedKeyProblems(input: unknown): string[] {
  const tags = isRecord(input) ? input.exclude_tags : undefined;
  return isRecord(tags) && Object.hasOwn(tags, '__proto__') ? ['exclude_tags.__proto__: "__proto__" is not supported as a tag key'] : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Problems that relate keys to one another, found on the compiled policy. `valid` tells which
 * keys held their own value (the others were replaced by defaults and already reported).
 */
function semanticProblems(policy: Policy, valid: (key: DocumentKey) => boolean): string[] {
  const problems: string[] = [];
  if (valid('action') && valid('restrict_to') && policy.action === 'restrict' && policy.restrictTo.length === 0) {
    problems.push('restrict_to: action "restrict" needs at least one CIDR to restrict offending rules to');
  }
  if (valid('restrict_to') && valid('ingress') && valid('egress')) problems.push(...restrictToProblems(policy));
  return problems;
}

/**
 * Every restrict_to CIDR must be allowed for all traffic in both directions: restrict
 * authorizes the offending rule's protocol and ports from it, in the offending rule's
 * direction, and the sweep would otherwise revoke what restrict created. A CIDR is allowed for
 * all traffic exactly when an all-traffic entry's CIDR contains it (only such an entry covers a
 * protocol -1 rule); a property test holds this to what the evaluator decides.
 */
function restrictToProblems(policy: Policy): string[] {
  const problems: string[] = [];
  policy.restrictTo.forEach((range, index) => {
    const uncovered = (['ingress', 'egress'] as const).filter((direction) => !allowsAllTrafficFrom(policy[direction], range));
    if (uncovered.length === 0) return;
    const lists = uncovered.map((direction) => `${direction}.allow`).join(' or ');
    problems.push(
      `restrict_to[${index}]: ${networkText(range)} is not allowed by ${lists} for all traffic, so the sweep would revoke the rules restrict creates`,
    );
  });
  return problems;
}

function allowsAllTrafficFrom(entries: readonly PolicyEntry[], range: CidrRange): boolean {
  return entries.some((entry) => entry.protocol === '-1' && entry.source.kind === 'cidr' && cidrContains(entry.source.range, range));
}
