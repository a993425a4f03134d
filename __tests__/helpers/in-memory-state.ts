/**
 * An in-memory state table behind the engine's `StatePort`, keyed as the DynamoDB adapter keys
 * it (`exempt#<account>#<region>#<rule id>`). Calls are recorded in `calls`; `failWith` makes
 * every call fail the way the adapter reports an unreachable table.
 */
import { exemptionKey } from '../../function/adapters/state-table';
import { StateTableError } from '../../function/core/errors';
import type { ExemptionRecord, RuleLocation, StatePort } from '../../function/core/ports';

export class InMemoryState implements StatePort {
  readonly records = new Map<string, ExemptionRecord>();
  readonly calls: { readonly method: keyof StatePort; readonly count: number }[] = [];
  private failure: StateTableError | undefined;

  failWith(message = 'BatchGetItem on sg-sentry-state failed: ResourceNotFoundException: Requested resource not found'): this {
    this.failure = new StateTableError(message, false);
    return this;
  }

  async recordExemptions(records: readonly ExemptionRecord[]): Promise<void> {
    this.calls.push({ method: 'recordExemptions', count: records.length });
    if (this.failure !== undefined) throw this.failure;
    for (const record of records) this.records.set(exemptionKey(record), record);
  }

  async exemptionsOf(rules: readonly RuleLocation[]): Promise<readonly ExemptionRecord[]> {
    this.calls.push({ method: 'exemptionsOf', count: rules.length });
    if (this.failure !== undefined) throw this.failure;
    return rules.flatMap((rule) => {
      const record = this.records.get(exemptionKey(rule));
      return record === undefined ? [] : [record];
    });
  }
}
