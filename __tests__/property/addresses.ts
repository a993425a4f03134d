/**
 * An independent model of IP ranges for the property tests: addresses as bigints, ranges as
 * (network, prefix). Deliberately shares no code with function/core/model/cidr.ts, which it checks.
 */
import fc from 'fast-check';

export type Family = 'ipv4' | 'ipv6';

export const BITS: Readonly<Record<Family, number>> = { ipv4: 32, ipv6: 128 };

export interface Range {
  readonly family: Family;
  readonly network: bigint;
  readonly prefix: number;
}

export function mask(family: Family, prefix: number): bigint {
  const bits = BITS[family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

export function range(family: Family, address: bigint, prefix: number): Range {
  return { family, network: address & mask(family, prefix), prefix };
}

export function contains(outer: Range, inner: Range): boolean {
  return (
    outer.family === inner.family && inner.prefix >= outer.prefix && (inner.network & mask(outer.family, outer.prefix)) === outer.network
  );
}

/** Dotted quad, or eight uncompressed hex groups: valid text that no string match shortcuts. */
export function addressText(family: Family, address: bigint): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => String((address >> s) & 255n)).join('.');
  return Array.from({ length: 8 }, (_, i) => ((address >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

function v4(a: number, b: number, c: number, d: number): bigint {
  return (BigInt(a) << 24n) | (BigInt(b) << 16n) | (BigInt(c) << 8n) | BigInt(d);
}

/** Exactly what the embedded default policy allows on every port. */
export const DEFAULT_PRIVATE: readonly Range[] = [
  range('ipv4', v4(10, 0, 0, 0), 8),
  range('ipv4', v4(172, 16, 0, 0), 12),
  range('ipv4', v4(192, 168, 0, 0), 16),
  range('ipv4', v4(100, 64, 0, 0), 10),
  range('ipv6', 0xfcn << 120n, 7),
];

export function insideDefaultPrivate(r: Range): boolean {
  return DEFAULT_PRIVATE.some((p) => contains(p, r));
}

function lastAddress(r: Range): bigint {
  return r.network | ((1n << BigInt(BITS[r.family] - r.prefix)) - 1n);
}

/**
 * Addresses of a family: anywhere, a few addresses either side of each allowlisted range's
 * edges (where an off-by-one would show), and for IPv6 IPv4-mapped forms of private addresses.
 */
export function addressArb(family: Family): fc.Arbitrary<bigint> {
  const max = (1n << BigInt(BITS[family])) - 1n;
  const edges = DEFAULT_PRIVATE.filter((r) => r.family === family).flatMap((r) => [
    r.network,
    lastAddress(r) + 1n,
    r.network - 1n,
    lastAddress(r),
  ]);
  const nearEdge = fc
    .tuple(fc.constantFrom(...edges), fc.integer({ min: -3, max: 3 }))
    .map(([edge, delta]) => (edge + BigInt(delta) < 0n ? 0n : edge + BigInt(delta) > max ? max : edge + BigInt(delta)));
  const arbitraries: Array<fc.Arbitrary<bigint>> = [fc.bigInt({ min: 0n, max }), nearEdge];
  if (family === 'ipv6') {
    const mappedPrivate = fc
      .constantFrom(...DEFAULT_PRIVATE.filter((r) => r.family === 'ipv4'))
      .chain((r) => fc.bigInt({ min: r.network, max: lastAddress(r) }).map((a) => (0xffffn << 32n) | a));
    arbitraries.push(mappedPrivate);
  }
  return fc.oneof(...arbitraries);
}

export interface CidrCase {
  readonly range: Range;
  /** The CIDR as written; with `hostBits`, the address keeps bits below the prefix. */
  readonly text: string;
}

export function cidrArb(family: Family, options: { hostBits?: boolean } = {}): fc.Arbitrary<CidrCase> {
  return fc
    .record({ address: addressArb(family), prefix: fc.integer({ min: 0, max: BITS[family] }), hostBits: fc.boolean() })
    .map(({ address, prefix, hostBits }) => {
      const r = range(family, address, prefix);
      const written = options.hostBits && hostBits ? address : r.network;
      return { range: r, text: `${addressText(family, written)}/${prefix}` };
    });
}

/** A random sub-range of `r`: a longer prefix, random bits filled in below the old one. */
export function subRangeArb(r: Range): fc.Arbitrary<Range> {
  const bits = BITS[r.family];
  return fc
    .integer({ min: r.prefix, max: bits })
    .chain((prefix) =>
      fc.bigInt({ min: 0n, max: (1n << BigInt(bits - r.prefix)) - 1n }).map((low) => range(r.family, r.network | low, prefix)),
    );
}

export function rangeText(r: Range): string {
  return `${addressText(r.family, r.network)}/${r.prefix}`;
}
