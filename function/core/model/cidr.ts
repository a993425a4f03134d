/**
 * CIDR parsing and containment on top of ipaddr.js. Host bits are masked off, because EC2
 * applies the network the prefix describes (`208.236.235.254/0` opens the whole internet).
 */
import * as ipaddr from 'ipaddr.js';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface CidrRange {
  readonly family: AddressFamily;
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
  /** The CIDR as written. */
  readonly text: string;
  /** True when the written address had bits set below the prefix. */
  readonly hostBitsSet: boolean;
}

/** Parses `a.b.c.d/n` or `x::y/n`; returns undefined for anything else (no bare addresses, no `%zone`). */
export function parseCidr(text: string): CidrRange | undefined {
  if (typeof text !== 'string' || !text.includes('/') || text.includes('%')) return undefined;
  const trimmed = text.trim();
  const slash = trimmed.lastIndexOf('/');
  const prefixText = trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const addressText = trimmed.slice(0, slash);
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
      parsed = ipaddr.IPv4.parseCIDR(trimmed);
    } else if (ipaddr.IPv6.isValid(addressText)) {
      parsed = ipaddr.IPv6.parseCIDR(trimmed);
    } else {
      return undefined;
    }
  } catch {
    return undefined;
  }
  const [address, prefix] = parsed;
  const family: AddressFamily = address.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  const network = family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(trimmed) : ipaddr.IPv6.networkAddressFromCIDR(trimmed);
  const hostBitsSet = network.toNormalizedString() !== address.toNormalizedString();
  return { family, address: network, prefix, text: trimmed, hostBitsSet };
}

/** True when every address of `inner` lies inside `outer` (same family only). */
export function cidrContains(outer: CidrRange, inner: CidrRange): boolean {
  if (outer.family !== inner.family) return false;
  if (inner.prefix < outer.prefix) return false;
  // Both are IPv4 or both IPv6 here; ipaddr's match() needs the pair typed alike.
  return (inner.address as ipaddr.IPv4).match(outer.address as ipaddr.IPv4, outer.prefix);
}

/** The CIDR with host bits cleared, as text (`208.236.235.254/0` → `0.0.0.0/0`). */
export function networkText(range: CidrRange): string {
  return `${range.address.toString()}/${range.prefix}`;
}

/**
 * Parsed rule CIDRs by text. Parsing (ipaddr.js) dominates an evaluation and the same few
 * CIDRs (0.0.0.0/0, ::/0, the VPC's) recur across events and sweeps. Bounded: cleared when
 * full, so memory stays flat whatever a sweep feeds it. Results do not depend on the cache.
 */
const CIDR_CACHE_LIMIT = 4096;
const cidrCache = new Map<string, CidrRange | null>();

/** `parseCidr`, remembered. The ranges are shared: treat them as read-only. */
export function parseCidrCached(text: string): CidrRange | undefined {
  const cached = cidrCache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const range = parseCidr(text);
  if (cidrCache.size >= CIDR_CACHE_LIMIT) cidrCache.clear();
  cidrCache.set(text, range ?? null);
  return range;
}
