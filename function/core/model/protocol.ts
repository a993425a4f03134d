/**
 * Protocol names and numbers are the same thing to EC2 (`tcp` = 6); the engine compares them
 * in one canonical form so that `"6"` cannot slip past an entry written as `tcp`.
 */
import type { Protocol } from './rule';

const NAME_BY_NUMBER: Readonly<Record<string, Protocol>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const NAMED = new Set(['tcp', 'udp', 'icmp', 'icmpv6']);

/** Returns the canonical protocol, or undefined when the value is not a protocol EC2 accepts. */
export function canonicalProtocol(value: string | number): Protocol | undefined {
  const text = String(value).trim().toLowerCase();
  if (text === '-1' || text === 'all') return '-1';
  if (NAMED.has(text)) return text;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  if (n > 255) return undefined;
  return NAME_BY_NUMBER[String(n)] ?? String(n);
}

/** tcp and udp carry port ranges. */
export function hasPorts(protocol: Protocol): boolean {
  return protocol === 'tcp' || protocol === 'udp';
}

/** icmp and icmpv6 carry type/code in the port fields. */
export function isIcmp(protocol: Protocol): boolean {
  return protocol === 'icmp' || protocol === 'icmpv6';
}

/** An inclusive port range. */
export type PortRange = readonly [from: number, to: number];

const ALL_PORTS: PortRange = [0, 65535];

function isPort(value: number | null | undefined): value is number {
  return value !== undefined && value !== null && Number.isInteger(value) && value >= 0 && value <= 65535;
}

/**
 * The tcp/udp port range a rule opens. Missing or -1 ports mean every port; anything EC2 would
 * not have accepted (out of range, reversed) is read as widely as it could be meant.
 */
export function openPortRange(fromPort: number | null | undefined, toPort: number | null | undefined): PortRange {
  if (!isPort(fromPort) || !isPort(toPort)) {
    if ((fromPort === undefined || fromPort === null) && (toPort === undefined || toPort === null)) return ALL_PORTS;
    if (fromPort === -1 || toPort === -1) return ALL_PORTS;
    return [isPort(fromPort) ? fromPort : 0, isPort(toPort) ? toPort : 65535];
  }
  return fromPort <= toPort ? [fromPort, toPort] : [toPort, fromPort];
}
