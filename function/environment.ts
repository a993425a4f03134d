/**
 * Reads the Lambda's environment contract (DESIGN §8) once, at cold start, and wires the
 * adapters. An invalid policy throws here, so the function fails loudly instead of enforcing a
 * policy nobody wrote.
 */
import type { EngineContext } from './core/engine';
import { ENV } from './core/env-names';
import { loadPolicy } from './core/policy/policy';
import type { Ec2Port } from './core/ports';
import { Ec2Adapter } from './adapters/ec2-adapter';
import { SnsNotifier } from './adapters/sns-adapter';

export function contextFromEnvironment(env: NodeJS.ProcessEnv, overrides: Partial<EngineContext> = {}): EngineContext {
  const policy = loadPolicy(env[ENV.policy]);
  const topicArn = env[ENV.topicArn]?.trim();
  const selfRoleArn = env[ENV.selfRoleArn]?.trim();
  const clients = new Map<string, Ec2Port>();
  return {
    policy,
    ec2: (region) => {
      let client = clients.get(region);
      if (client === undefined) {
        client = Ec2Adapter.forRegion(region);
        clients.set(region, client);
      }
      return client;
    },
    ...(topicArn ? { notifier: SnsNotifier.forTopic(topicArn) } : {}),
    ...(selfRoleArn ? { selfRoleArn } : {}),
    log: (line) => console.log(JSON.stringify(line)),
    now: () => new Date(),
    ...overrides,
  };
}
