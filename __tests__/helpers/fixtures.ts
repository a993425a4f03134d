import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rule } from '../../function/core/model/rule';
import { sourceLabel } from '../../function/core/model/rule';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** A fixture as parsed JSON, from `cloudtrail/` (real) or `derived/` (real with one change). */
export function fixture(name: string): Record<string, any> {
  const dir = name.startsWith('derived/') ? '' : 'cloudtrail/';
  return JSON.parse(readFileSync(join(FIXTURES, `${dir}${name}${name.endsWith('.json') ? '' : '.json'}`), 'utf8'));
}

export function fixtureNames(dir: 'cloudtrail' | 'derived'): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
}

/** Wraps a bare CloudTrail record the way EventBridge delivers it. */
export function envelope(record: Record<string, any>): Record<string, any> {
  if ('detail' in record) return record;
  return {
    version: '0',
    id: `envelope-${record.eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: record.recipientAccountId ?? '123456789012',
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** `ingress tcp 22-22 0.0.0.0/0 sgr-…` — one line that pins every field tests care about. */
export function ruleLine(rule: Rule): string {
  const ports = rule.fromPort === undefined ? '' : ` ${rule.fromPort}-${rule.toPort}`;
  return `${rule.direction} ${rule.groupId ?? `name:${rule.groupName}`} ${rule.protocol}${ports} ${rule.source.kind}:${sourceLabel(rule.source)}${rule.ruleId ? ` ${rule.ruleId}` : ''}`;
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
