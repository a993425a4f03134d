/**
 * The policy decision against an independent model of the contract's containment semantics:
 * a rule is allowed iff some entry of its direction covers it (source inside the entry's, same
 * protocol with names and numbers equivalent or the entry's `all`, the whole port range inside
 * one entry range; `-1` only under `all`), over random policies written in every spelling the
 * policy document accepts and random rules in every spelling EC2 and CloudTrail give.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { evaluateRule } from '../../function/core/judge/containment';
import type { PrefixListFacts, PrefixListLookup } from '../../function/core/model/prefix-list';
import type { Direction, Rule } from '../../function/core/model/rule';
import { parsePolicy } from '../../function/core/policy/policy';
import { BITS, contains, range, subRangeArb, type Family, type Range } from './addresses';

// ---------------------------------------------------------------- the model

type Traffic = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | `${number}`;

/** The contract's equivalences, written out rather than taken from model/protocol.ts. */
function modelProtocol(value: string | number | undefined): Traffic {
  if (value === undefined) return 'all';
  const text = String(value).toLowerCase();
  const byNumber: Record<string, Traffic> = { '-1': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
  if (text in byNumber) return byNumber[text]!;
  if (['all', 'tcp', 'udp', 'icmp', 'icmpv6'].includes(text)) return text as Traffic;
  return `${Number(text)}` as Traffic;
}

type ModelSource =
  | { readonly kind: 'cidr'; readonly range: Range }
  | { readonly kind: 'security_group'; readonly id: string }
  | { readonly kind: 'prefix_list'; readonly id: string };

interface ModelEntry {
  readonly source: ModelSource;
  readonly protocol: Traffic;
  readonly ports?: ReadonlyArray<readonly [number, number]>;
}

interface ModelRule {
  readonly direction: Direction;
  readonly source: ModelSource | { readonly kind: 'security_group_by_name' };
  readonly protocol: Traffic;
  /** tcp/udp: the range the rule opens. */
  readonly ports?: readonly [number, number];
}

interface ModelList {
  readonly awsManaged: boolean;
  readonly entries: readonly Range[];
}

function modelCovers(entry: ModelEntry, rule: ModelRule, lists: ReadonlyMap<string, ModelList>, policy: ModelPolicy): boolean {
  if (entry.protocol !== 'all' && entry.protocol !== rule.protocol) return false;
  if (entry.ports !== undefined && rule.ports !== undefined) {
    const [from, to] = rule.ports;
    if (!entry.ports.some(([lo, hi]) => lo <= from && to <= hi)) return false;
  }
  const source = rule.source;
  switch (entry.source.kind) {
    case 'cidr':
      return source.kind === 'cidr' && contains(entry.source.range, source.range);
    case 'security_group':
      if (entry.source.id === '*') return source.kind === 'security_group' || source.kind === 'security_group_by_name';
      return source.kind === 'security_group' && source.id.toLowerCase() === entry.source.id.toLowerCase();
    case 'prefix_list': {
      if (source.kind !== 'prefix_list') return false;
      if (entry.source.id !== '*') return source.id.toLowerCase() === entry.source.id.toLowerCase();
      const list = lists.get(source.id.toLowerCase());
      if (list === undefined) return false;
      // `*` covers an AWS-managed list, and a customer one only when each entry, as the rule's source, is allowed.
      return list.awsManaged || list.entries.every((r) => modelAllowed(policy, { ...rule, source: { kind: 'cidr', range: r } }, lists));
    }
  }
}

interface ModelPolicy {
  readonly ingress: readonly ModelEntry[];
  readonly egress: readonly ModelEntry[];
}

function modelAllowed(policy: ModelPolicy, rule: ModelRule, lists: ReadonlyMap<string, ModelList>): boolean {
  return policy[rule.direction].some((entry) => modelCovers(entry, rule, lists, policy));
}

// ---------------------------------------------------------------- spellings

function v6Groups(address: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
}

/** An address as text: IPv4 dotted quad; IPv6 full, compressed (RFC 5952 `::`), or upper case. */
function spell(family: Family, address: bigint, style: number): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => String((address >> s) & 255n)).join('.');
  const groups = v6Groups(address).map((g) => g.toString(16));
  if (style % 3 === 0) return groups.map((g) => g.padStart(4, '0')).join(':');
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { at: i, length: j - i };
    i = j;
  }
  const text = best.at < 0 ? groups.join(':') : `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
  return style % 3 === 1 ? text : text.toUpperCase();
}

const familyArb = fc.constantFrom<Family>('ipv4', 'ipv6');

/** A range: anywhere, or inside one of `near` (so that containment is often true). */
function rangeArb(family: Family, near: readonly Range[]): fc.Arbitrary<Range> {
  const bits = BITS[family];
  const anywhere = fc
    .record({ address: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), prefix: fc.integer({ min: 0, max: bits }) })
    .map(({ address, prefix }) => range(family, address, prefix));
  const inside = near.filter((r) => r.family === family);
  return inside.length === 0 ? anywhere : fc.oneof(anywhere, fc.constantFrom(...inside).chain(subRangeArb));
}

/** Text for a range; `hostBits` fills bits below the prefix, as a rule's CIDR may have them. */
function cidrTextArb(r: Range, hostBits: boolean): fc.Arbitrary<string> {
  const bits = BITS[r.family];
  const low = hostBits && r.prefix < bits ? fc.bigInt({ min: 0n, max: (1n << BigInt(bits - r.prefix)) - 1n }) : fc.constant(0n);
  return fc.tuple(low, fc.nat(2)).map(([l, style]) => `${spell(r.family, r.network | l, style)}/${r.prefix}`);
}

const GROUP_IDS = ['sg-0123456789abcdef0', 'sg-0aaaaaaaaaaaaaaa1', 'sg-12345678'];
const LIST_IDS = ['pl-0a1b2c3d4e5f60718', 'pl-02cd2c6b'];

/** How a policy author may write each protocol. */
const ENTRY_PROTOCOLS: Readonly<Record<Traffic, ReadonlyArray<string | number | undefined>>> = {
  all: [undefined, 'all', 'ALL', '-1', -1],
  tcp: ['tcp', 'TCP', '6', 6],
  udp: ['udp', 'Udp', '17', 17],
  icmp: ['icmp', '1', 1],
  icmpv6: ['icmpv6', 'ICMPv6', '58', 58],
  '47': ['47', 47],
};
/** How EC2 and CloudTrail give each protocol in a rule. */
const RULE_PROTOCOLS: Readonly<Record<string, readonly string[]>> = {
  all: ['-1', 'all'],
  tcp: ['tcp', '6', 'TCP'],
  udp: ['udp', '17'],
  icmp: ['icmp', '1'],
  icmpv6: ['icmpv6', '58'],
  '47': ['47'],
};
const TRAFFIC = Object.keys(ENTRY_PROTOCOLS) as Traffic[];

const portRangeArb = fc
  .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
  .map(([a, b]): readonly [number, number] => (a <= b ? [a, b] : [b, a]));

interface Written {
  readonly document: Record<string, unknown>;
  readonly model: ModelEntry;
}

function entryArb(near: readonly Range[]): fc.Arbitrary<Written> {
  const sourceArb: fc.Arbitrary<{ key: string; value: unknown; model: ModelSource }> = fc.oneof(
    {
      weight: 4,
      arbitrary: familyArb
        .chain((f) => rangeArb(f, near))
        .chain((r) => cidrTextArb(r, false).map((text) => ({ key: 'cidr', value: text, model: { kind: 'cidr' as const, range: r } }))),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('*', ...GROUP_IDS, GROUP_IDS[0]!.toUpperCase().replace('SG-', 'sg-'))
        .map((id) => ({ key: 'security_group', value: id, model: { kind: 'security_group' as const, id } })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('*', ...LIST_IDS)
        .map((id) => ({ key: 'prefix_list', value: id, model: { kind: 'prefix_list' as const, id } })),
    },
  );
  return fc
    .record({
      source: sourceArb,
      traffic: fc.constantFrom(...TRAFFIC),
      spelling: fc.nat(4),
      ports: fc.option(fc.array(fc.tuple(portRangeArb, fc.boolean()), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    })
    .map(({ source, traffic, spelling, ports }): Written => {
      const spellings = ENTRY_PROTOCOLS[traffic] ?? [undefined];
      const protocol = spellings[spelling % spellings.length];
      const withPorts = ports !== undefined && (traffic === 'tcp' || traffic === 'udp');
      const document: Record<string, unknown> = {
        [source.key]: source.value,
        ...(protocol !== undefined ? { protocol } : {}),
        ...(withPorts ? { ports: ports.map(([[from, to], asNumber]) => (from === to && asNumber ? from : `${from}-${to}`)) } : {}),
      };
      return {
        document,
        model: { source: source.model, protocol: traffic, ...(withPorts ? { ports: ports.map(([r]) => r) } : {}) },
      };
    });
}

interface Case {
  readonly document: Record<string, unknown>;
  readonly model: ModelPolicy;
  readonly rule: Rule;
  readonly modelRule: ModelRule;
  readonly lookup: PrefixListLookup;
  readonly lists: ReadonlyMap<string, ModelList>;
}

/** The prefix lists rules may reference: AWS-managed, or customer-managed with a few entries near the allowlist's ranges. */
function listsArb(near: readonly Range[]): fc.Arbitrary<Array<{ id: string; list: ModelList; facts: PrefixListFacts }>> {
  return fc.tuple(
    ...LIST_IDS.map((id) =>
      fc
        .record({
          awsManaged: fc.boolean(),
          entries: fc.array(
            familyArb.chain((f) => rangeArb(f, near)),
            { maxLength: 4 },
          ),
        })
        .chain(({ awsManaged, entries }) =>
          fc.tuple(...entries.map((r) => cidrTextArb(r, false))).map((texts) => ({
            id,
            list: { awsManaged, entries },
            facts: awsManaged
              ? ({ state: 'aws-managed', info: { prefixListId: id, ownerId: 'AWS' } } as const)
              : ({
                  state: 'customer-managed',
                  info: { prefixListId: id, ownerId: '111122223333' },
                  entries: texts.map((cidr) => ({ cidr })),
                } as const),
          })),
        ),
    ),
  );
}

/** A rule of `direction`, its source often inside `near` and its protocol often one of `usual`. */
function ruleArb(direction: Direction, near: readonly Range[], usual: readonly Traffic[]): fc.Arbitrary<{ rule: Rule; model: ModelRule }> {
  const sourceArb: fc.Arbitrary<{ source: Rule['source']; model: ModelRule['source'] }> = fc.oneof(
    {
      weight: 4,
      arbitrary: familyArb
        .chain((f) => rangeArb(f, near))
        .chain((r) =>
          cidrTextArb(r, true).map((cidr) => ({
            source: { kind: 'cidr' as const, cidr, family: r.family },
            model: { kind: 'cidr' as const, range: r },
          })),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...GROUP_IDS, 'sg-0fffffffffffffff9').map((id) => ({
        source: { kind: 'security_group' as const, groupId: id, userId: '111122223333' },
        model: { kind: 'security_group' as const, id },
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        source: { kind: 'security_group' as const, groupName: 'default' },
        model: { kind: 'security_group_by_name' as const },
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...LIST_IDS)
        .map((id) => ({ source: { kind: 'prefix_list' as const, prefixListId: id }, model: { kind: 'prefix_list' as const, id } })),
    },
  );
  return fc
    .record({
      source: sourceArb,
      traffic: usual.length === 0 ? fc.constantFrom(...TRAFFIC) : fc.oneof(fc.constantFrom(...TRAFFIC), fc.constantFrom(...usual)),
      spelling: fc.nat(2),
      ports: fc.oneof(portRangeArb, fc.constant('missing' as const), fc.constant('minus-one' as const)),
    })
    .map(({ source, traffic, spelling, ports }) => {
      const spellings = RULE_PROTOCOLS[traffic]!;
      const protocol = spellings[spelling % spellings.length]!;
      const hasPorts = traffic === 'tcp' || traffic === 'udp';
      const fields =
        ports === 'missing' ? {} : ports === 'minus-one' ? { fromPort: -1, toPort: -1 } : { fromPort: ports[0], toPort: ports[1] };
      const opened: readonly [number, number] = typeof ports === 'string' ? [0, 65535] : ports;
      return {
        rule: {
          direction,
          groupId: 'sg-0632fa4ee8a8468a4',
          protocol,
          ...(hasPorts || traffic === 'icmp' || traffic === 'icmpv6' ? fields : {}),
          source: source.source,
        },
        model: { direction, source: source.model, protocol: modelProtocol(protocol), ...(hasPorts ? { ports: opened } : {}) },
      };
    });
}

/** A rule drawn inside `entry`: its source within the entry's, its protocol the entry's (any under `all`), its ports within one entry range. */
function ruleInsideArb(direction: Direction, entry: ModelEntry): fc.Arbitrary<{ rule: Rule; model: ModelRule }> {
  return ruleArb(direction, [], entry.protocol === 'all' ? [] : [entry.protocol]).chain((drawn) => {
    const { source } = entry;
    const sourceFits: fc.Arbitrary<{ rule: Rule; model: ModelRule }> =
      source.kind === 'cidr'
        ? subRangeArb(source.range).chain((r) =>
            cidrTextArb(r, true).map((cidr) => ({
              rule: { ...drawn.rule, source: { kind: 'cidr' as const, cidr, family: r.family } },
              model: { ...drawn.model, source: { kind: 'cidr' as const, range: r } },
            })),
          )
        : fc.constant({
            rule: {
              ...drawn.rule,
              source:
                source.kind === 'security_group'
                  ? { kind: 'security_group' as const, groupId: source.id === '*' ? 'sg-0fffffffffffffff9' : source.id.toLowerCase() }
                  : { kind: 'prefix_list' as const, prefixListId: source.id === '*' ? LIST_IDS[0]! : source.id.toLowerCase() },
            },
            model: {
              ...drawn.model,
              source:
                source.kind === 'security_group'
                  ? { kind: 'security_group' as const, id: source.id === '*' ? 'sg-0fffffffffffffff9' : source.id }
                  : { kind: 'prefix_list' as const, id: source.id === '*' ? LIST_IDS[0]! : source.id },
            },
          });
    const ports = entry.ports;
    if (ports === undefined || drawn.model.ports === undefined) return sourceFits;
    return sourceFits.chain((fits) =>
      fc
        .constantFrom(...ports)
        .chain(([lo, hi]) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })))
        .map(([a, b]): { rule: Rule; model: ModelRule } => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          return { rule: { ...fits.rule, fromPort: from, toPort: to }, model: { ...fits.model, ports: [from, to] as const } };
        }),
    );
  });
}

const caseArb: fc.Arbitrary<Case> = fc
  .array(
    familyArb.chain((f) => rangeArb(f, [])),
    { minLength: 1, maxLength: 3 },
  )
  .chain((near) =>
    fc.record({
      ingress: fc.array(entryArb(near), { maxLength: 6 }),
      egress: fc.array(entryArb(near), { maxLength: 3 }),
      direction: fc.constantFrom<Direction>('ingress', 'egress'),
      lists: listsArb(near),
      near: fc.constant(near),
    }),
  )
  .chain(({ ingress, egress, direction, lists, near }) => {
    const own = direction === 'ingress' ? ingress : egress;
    const anywhere = ruleArb(
      direction,
      [...near, ...[...ingress, ...egress].flatMap((e) => (e.model.source.kind === 'cidr' ? [e.model.source.range] : []))],
      own.map((e) => e.model.protocol),
    );
    const inside = own.length === 0 ? anywhere : fc.constantFrom(...own).chain((e) => ruleInsideArb(direction, e.model));
    return fc.oneof(anywhere, inside).map(({ rule, model }) => ({
      document: { ingress: { allow: ingress.map((e) => e.document) }, egress: { allow: egress.map((e) => e.document) } },
      model: { ingress: ingress.map((e) => e.model), egress: egress.map((e) => e.model) },
      rule,
      modelRule: model,
      lookup: new Map(lists.map((l) => [l.id, l.facts])),
      lists: new Map(lists.map((l) => [l.id, l.list])),
    }));
  });

describe('property: the policy decision agrees with the containment the contract describes', () => {
  it('allows a rule exactly when some entry of its direction covers it, whatever the spelling of either', () => {
    const seen = { allowed: 0, violation: 0 };
    fc.assert(
      fc.property(caseArb, ({ document, model, rule, modelRule, lookup, lists }) => {
        // Prepare
        const policy = parsePolicy(document);

        // Act
        const evaluation = evaluateRule(rule, policy, lookup);

        // Assess
        const expected = modelAllowed(model, modelRule, lists);
        seen[expected ? 'allowed' : 'violation'] += 1;
        expect(evaluation.allowed, `${JSON.stringify(rule)} under ${JSON.stringify(document)}: ${evaluation.reason}`).to.equal(expected);
      }),
      { numRuns: 2000 },
    );
    // Both verdicts must be common, or the property says little.
    expect(seen.allowed).to.be.greaterThan(300);
    expect(seen.violation).to.be.greaterThan(300);
  });
});
