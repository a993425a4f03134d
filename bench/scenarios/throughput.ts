/** Rule evaluations per second, warm and in process: the judge is never the bottleneck. */
import { parseEvent } from '../../function/core/event/parse-event';
import { evaluateRule } from '../../function/core/judge/containment';
import { judgeRules } from '../../function/core/judge/judge';
import type { Rule } from '../../function/core/model/rule';
import { loadPolicy } from '../../function/core/policy/policy';
import { loadCorpus } from '../corpus';
import { atLeast, timeLoop, type BenchContext, type Scenario, type ScenarioResult } from '../scenario';

const EVALUATIONS_PER_SECOND = 100_000;

export const throughput: Scenario = {
  name: 'throughput',
  title: 'evaluation throughput',
  async run(context: BenchContext): Promise<ScenarioResult> {
    context.log('evaluation throughput (warm, in process)');
    const policy = loadPolicy(undefined);
    const corpus = loadCorpus();
    const rules = corpus.flatMap((e) => e.rules);
    const corpusRate = timeLoop(() => {
      for (const rule of rules) evaluateRule(rule, policy);
      return rules.length;
    }, 1);
    // Distinct public /32s defeat the evaluator's parsed-CIDR cache: the rate when every source is new.
    const template = rules.find((r) => r.source.kind === 'cidr' && r.source.family === 'ipv4')!;
    const distinct: Rule[] = Array.from({ length: 20_000 }, (_, i) => ({
      ...template,
      source: { kind: 'cidr', family: 'ipv4', cidr: `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.7/32` },
    }));
    const distinctRate = timeLoop(() => {
      for (const rule of distinct) evaluateRule(rule, policy);
      return distinct.length;
    }, 1);
    const events = corpus.map((e) => e.event);
    const eventRate = timeLoop(() => {
      for (const event of events) {
        const parsed = parseEvent(event);
        if (parsed.kind === 'change') judgeRules(parsed.change.rules, policy);
      }
      return events.length;
    }, 1);
    return {
      figures: [
        {
          key: 'ruleEvaluationsPerSecond',
          label: `rule evaluations, corpus (${rules.length} rules, warm)`,
          value: corpusRate,
          unit: 'per-second',
          target: atLeast(corpusRate, EVALUATIONS_PER_SECOND, '>= 100,000/s'),
        },
        {
          key: 'distinctCidrRuleEvaluationsPerSecond',
          label: 'rule evaluations, every CIDR new (cache misses)',
          value: distinctRate,
          unit: 'per-second',
        },
        {
          key: 'eventsParsedAndJudgedPerSecond',
          label: `events parsed + judged (${events.length} events)`,
          value: eventRate,
          unit: 'per-second',
        },
      ],
    };
  },
};
