/**
 * Engine tests at the ports: a real CloudTrail event, the account as EC2 holds it after that
 * event (an in-memory EC2), and a notifier that records what it is given. No SDK anywhere.
 */
import type { SecurityGroupChange } from '../../function/core/event/change';
import { parseEvent } from '../../function/core/event/parse-event';
import { parsePolicy } from '../../function/core/policy/policy';
import type { EngineContext } from '../../function/core/ports';
import { envelope, fixture } from '../helpers/fixtures';
import { InMemoryEc2 } from '../helpers/in-memory-ec2';
import { RecordingNotifier } from '../helpers/recording-notifier';

export const NOW = new Date('2026-11-27T10:00:00Z');

/** The change a fixture records; `edit` changes the raw record first. */
export function changeOf(name: string, edit?: (record: Record<string, any>) => void): SecurityGroupChange {
  const event = envelope(fixture(name));
  edit?.(event.detail);
  const parsed = parseEvent(event);
  if (parsed.kind !== 'change') throw new Error(`${name} is not a change: ${parsed.kind}`);
  return parsed.change;
}

/** EC2 right after the call went through: the group, holding the rules the event created. */
export function accountAfter(
  change: SecurityGroupChange,
  group: { groupName?: string; vpcId?: string; tags?: Record<string, string> } = {},
): InMemoryEc2 {
  const ec2 = new InMemoryEc2().addGroup({ groupId: change.groupId ?? 'sg-unknown', ...group });
  for (const rule of change.rules) ec2.addRule({ ...rule, groupId: rule.groupId ?? change.groupId ?? 'sg-unknown' });
  return ec2;
}

export function engineContext(policy: Record<string, unknown>, ec2: InMemoryEc2, extra: Partial<EngineContext> = {}) {
  const notifier = new RecordingNotifier();
  const logs: Record<string, unknown>[] = [];
  const regions: string[] = [];
  const ctx: EngineContext = {
    policy: parsePolicy(policy),
    portsFor: ({ region }) => {
      regions.push(region);
      return { ec2 };
    },
    notifier,
    log: (line) => logs.push({ ...line }),
    now: () => NOW,
    ...extra,
  };
  return { ctx, notifier, logs, regions };
}

/** The error a promise rejects with; fails when it resolves. */
export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
