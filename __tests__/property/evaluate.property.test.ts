/**
 * Properties of the policy decision, checked against the independent range model in
 * addresses.ts over thousands of generated rules and policies.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { judgeRules } from '../../function/core/judge/judge';
import { evaluateRule } from '../../function/core/judge/containment';
import type { Rule } from '../../function/core/model/rule';
import { loadPolicy, parsePolicy, PolicyValidationError, type Policy } from '../../function/core/policy/policy';
import { cidrArb, insideDefaultPrivate, range, rangeText, subRangeArb, type Family, type Range } from './addresses';

const DEFAULT = loadPolicy(undefined);
const familyArb = fc.constantFrom<Family>('ipv4', 'ipv6');

function cidrRule(family: Family, cidr: string, protocol: string, ports?: readonly [number, number]): Rule {
  return {
    direction: 'ingress',
    groupId: 'sg-0632fa4ee8a8468a4',
    protocol,
    ...(ports ? { fromPort: ports[0], toPort: ports[1] } : {}),
    source: { kind: 'cidr', cidr, family },
  };
}

/** A tcp range through port 22 or 3389 (from 22-22 to 0-65535), or all traffic. */
const adminAccessArb = fc.oneof(
  fc.record({
    protocol: fc.constantFrom('tcp', '6', 'TCP'),
    ports: fc.constantFrom(22, 3389).chain((port) => fc.tuple(fc.integer({ min: 0, max: port }), fc.integer({ min: port, max: 65535 }))),
  }),
  fc.record({ protocol: fc.constantFrom('-1', 'all') }),
);

// ---------------------------------------------------------------- random policies

const PROTOCOLS = ['all', 'tcp', 'udp', 'icmp', 'icmpv6', '6', '17', '47'] as const;

const portSpecArb = fc
  .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 2000 }))
  .map(([from, width]) => (width === 0 ? from : `${from}-${Math.min(65535, from + width)}`));

const entryArb = fc
  .record({
    family: familyArb,
    protocol: fc.constantFrom(...PROTOCOLS),
    withPorts: fc.boolean(),
    ports: fc.array(portSpecArb, { minLength: 1, maxLength: 3 }),
  })
  .chain((e) => cidrArb(e.family).map((cidr) => ({ ...e, cidr })))
  .map((e) => ({
    cidr: e.cidr.text,
    protocol: e.protocol,
    ...(e.withPorts && ['tcp', 'udp', '6', '17'].includes(e.protocol) ? { ports: e.ports } : {}),
  }));

const policyArb: fc.Arbitrary<Policy> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(DEFAULT) },
  { weight: 3, arbitrary: fc.array(entryArb, { minLength: 1, maxLength: 6 }).map((allow) => parsePolicy({ ingress: { allow } })) },
);

/** Protocol and ports a rule may carry; an entry's protocol is taken as is, or any for `all`. */
function trafficArb(entryProtocol: string | undefined): fc.Arbitrary<{ protocol: string; ports?: [number, number] }> {
  const ports = fc
    .tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
    .map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [number, number]);
  const protocol =
    entryProtocol === undefined || entryProtocol === '-1' ? fc.constantFrom('-1', 'tcp', 'udp', 'icmp', '47') : fc.constant(entryProtocol);
  return protocol.chain((p) =>
    p === 'tcp' || p === 'udp'
      ? fc.option(ports, { nil: undefined }).map((r) => (r ? { protocol: p, ports: r } : { protocol: p }))
      : fc.constant({ protocol: p }),
  );
}

/** A policy and a rule: either drawn inside one of its entries (mostly allowed) or anywhere. */
const policyAndRuleArb = policyArb.chain((policy) => {
  const anywhere = familyArb.chain((family) =>
    fc.tuple(cidrArb(family), trafficArb(undefined)).map(([cidr, t]) => ({ range: cidr.range, ...t })),
  );
  const cidrEntries = policy.ingress.flatMap((e) =>
    e.source.kind === 'cidr' ? [{ entry: e, range: modelRange(e.source.range.text, e.source.range.family) }] : [],
  );
  const insideEntry =
    cidrEntries.length === 0
      ? anywhere
      : fc.constantFrom(...cidrEntries).chain(({ entry, range }) =>
          fc.tuple(subRangeArb(range), trafficArb(entry.protocol)).map(([sub, t]) => {
            const entryPorts = entry.ports?.[0];
            return { range: sub, ...t, ...(entryPorts && t.ports ? { ports: clampInto(t.ports, entryPorts) } : {}) };
          }),
        );
  return fc
    .oneof(insideEntry, anywhere)
    .map((r) => ({ policy, rule: cidrRule(r.range.family, rangeText(r.range), r.protocol, r.ports), range: r.range }));
});

/** A policy entry's CIDR in the model, parsed here rather than by core/model/cidr.ts. */
function modelRange(text: string, family: Family): Range {
  const slash = text.lastIndexOf('/');
  const address = text.slice(0, slash);
  const prefix = Number(text.slice(slash + 1));
  if (family === 'ipv4')
    return range(
      family,
      address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n),
      prefix,
    );
  const [head = '', tail = ''] = address.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const all = address.includes('::')
    ? [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)]
    : groups(head);
  return range(
    family,
    all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n),
    prefix,
  );
}

function clampInto(ports: [number, number], [lo, hi]: readonly [number, number]): [number, number] {
  const from = Math.min(Math.max(ports[0], lo), hi);
  const to = Math.min(Math.max(ports[1], from), hi);
  return [from, to];
}

/** A policy, a rule, a sub-range of the rule's CIDR and two numbers to cut a narrower port range with. */
const shrinkCaseArb = policyAndRuleArb.chain((c) =>
  fc.record({ sub: subRangeArb(c.range), a: fc.nat(65535), b: fc.nat(65535) }).map((x) => ({ ...c, ...x })),
);

describe('property: the policy decision', () => {
  it('never allows a public IPv4 or IPv6 source on tcp/22, tcp/3389 or all traffic under the default policy, and allows exactly the private ranges', () => {
    fc.assert(
      fc.property(
        familyArb.chain((family) => cidrArb(family, { hostBits: true })),
        adminAccessArb,
        (cidr, access) => {
          const rule = cidrRule(cidr.range.family, cidr.text, access.protocol, 'ports' in access ? access.ports : undefined);

          const evaluation = evaluateRule(rule, DEFAULT);

          expect(evaluation.allowed, `${cidr.text} ${access.protocol} ${JSON.stringify(access)}: ${evaluation.reason}`).to.equal(
            insideDefaultPrivate(cidr.range),
          );
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('keeps an allowed rule allowed when its CIDR or its port range shrinks', () => {
    let allowedCases = 0;
    fc.assert(
      fc.property(shrinkCaseArb, ({ policy, rule, range, sub, a, b }) => {
        if (!evaluateRule(rule, policy).allowed) return;
        allowedCases++;

        const narrowerSource: Rule = { ...rule, source: { kind: 'cidr', family: range.family, cidr: rangeText(sub) } };
        expect(evaluateRule(narrowerSource, policy).allowed, `${rangeText(sub)} inside ${rangeText(range)}`).to.equal(true);

        if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
          const [from, to] = rule.fromPort === undefined ? [0, 65535] : [rule.fromPort, rule.toPort ?? rule.fromPort];
          const lo = from + (a % (to - from + 1));
          const hi = lo + (b % (to - lo + 1));
          expect(evaluateRule({ ...rule, fromPort: lo, toPort: hi }, policy).allowed, `${lo}-${hi} inside ${from}-${to}`).to.equal(true);
        }
      }),
      { numRuns: 3000 },
    );
    // The property says something only if many generated rules were allowed to begin with.
    expect(allowedCases).to.be.greaterThan(1000);
  });

  it('is deterministic: the same rule gets the same verdict and reason whatever was evaluated before', () => {
    fc.assert(
      fc.property(
        policyAndRuleArb,
        fc.array(
          familyArb.chain((f) => cidrArb(f, { hostBits: true })),
          { maxLength: 30 },
        ),
        ({ policy, rule }, others) => {
          const first = evaluateRule(rule, policy);
          for (const other of others) evaluateRule(cidrRule(other.range.family, other.text, 'tcp', [22, 22]), policy);

          expect(evaluateRule(structuredClone(rule), policy)).to.deep.equal(first);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('judges a list the same in any order, and across more distinct CIDRs than its cache holds', () => {
    const rules = fc.sample(
      familyArb.chain((f) => cidrArb(f, { hostBits: true })).map((c) => cidrRule(c.range.family, c.text, 'tcp', [22, 22])),
      { numRuns: 10_000, seed: 6 },
    );
    const verdicts = (list: readonly Rule[]) => new Map(judgeRules(list, DEFAULT).map((j) => [j.rule, `${j.verdict} ${j.reason}`]));

    const forwards = verdicts(rules);
    const backwards = verdicts([...rules].reverse());

    expect(rules.every((r) => forwards.get(r) === backwards.get(r))).to.equal(true);
  });

  it('rejects a restrict_to CIDR at load exactly when the evaluator would not allow all traffic from it in both directions', () => {
    // Prepare: random allowlists in both directions, half of them sharing an all-traffic entry,
    // and a restrict_to CIDR drawn inside one of their CIDRs (often allowed) or anywhere.
    const entriesArb = fc.array(entryArb, { minLength: 1, maxLength: 5 });
    const sharedArb = fc.option(
      familyArb.chain((f) => cidrArb(f)),
      { nil: undefined },
    );
    const caseArb = fc.record({ ingress: entriesArb, egress: entriesArb, shared: sharedArb }).chain(({ ingress, egress, shared }) => {
      const both = shared === undefined ? [] : [{ cidr: shared.text, protocol: 'all' }];
      const allow = { ingress: [...ingress, ...both], egress: [...egress, ...both] };
      const inside = [...allow.ingress, ...allow.egress].map((e) => modelRange(e.cidr, e.cidr.includes(':') ? 'ipv6' : 'ipv4'));
      const restrictTo = fc.oneof(
        fc.constantFrom(...inside).chain(subRangeArb),
        familyArb.chain((f) => cidrArb(f)).map((c) => c.range),
      );
      return restrictTo.map((r) => ({ allow, restrictTo: r }));
    });
    const seen = { accepted: 0, rejected: 0 };

    fc.assert(
      fc.property(caseArb, ({ allow, restrictTo }) => {
        const document = { ingress: { allow: allow.ingress }, egress: { allow: allow.egress } };
        const source = { kind: 'cidr', cidr: rangeText(restrictTo), family: restrictTo.family } as const;
        const compiled = parsePolicy(document);
        const evaluatorAllows = (['ingress', 'egress'] as const).every(
          (direction) => evaluateRule({ direction, protocol: '-1', source }, compiled).allowed,
        );

        // Act
        let problems: readonly string[] = [];
        try {
          parsePolicy({ ...document, action: 'restrict', restrict_to: [rangeText(restrictTo)] });
        } catch (error) {
          if (!(error instanceof PolicyValidationError)) throw error;
          problems = error.problems;
        }

        // Assess
        const rejected = problems.some((p) => p.startsWith('restrict_to[0]:'));
        seen[rejected ? 'rejected' : 'accepted'] += 1;
        expect(rejected, `${rangeText(restrictTo)} against ${JSON.stringify(document)}: ${problems.join('; ')}`).to.equal(!evaluatorAllows);
      }),
      { numRuns: 2000 },
    );
    expect(seen.accepted).to.be.greaterThan(50);
    expect(seen.rejected).to.be.greaterThan(50);
  });
});
