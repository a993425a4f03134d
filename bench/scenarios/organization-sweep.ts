/** The organization's sweep (bench/organization-sweep.ts): dispatch of 200 targets, and one target of 1,000 rules. */
import { organizationSweep as measure } from '../organization-sweep';
import type { BenchContext, Scenario, ScenarioResult } from '../scenario';

export const organizationSweep: Scenario = {
  name: 'organizationSweep',
  title: 'organization sweep (in process, stubbed clients)',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const { figures, notes, details } = await measure(context.log);
    return { figures, notes, details };
  },
};
