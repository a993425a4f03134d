/**
 * `sg-sentry check`: judge recorded events against a policy, offline. Each change runs through
 * the Lambda's own `processChange`, in report mode and with an EC2 port that refuses every call
 * that would reach AWS, so the verdicts are the function's verdicts.
 */
import type { SecurityGroupChange } from '../function/core/event/change';
import { processChange } from '../function/core/engine';
import { EventValidationError } from '../function/core/errors';
import { parseEvent } from '../function/core/event/parse-event';
import type { Policy } from '../function/core/policy/policy';
import type { Finding } from '../function/core/model/finding';
import type { Ec2Port, EngineContext } from '../function/core/ports';
import type { EventReport, FindingReport, SkippedReport } from '../function/core/report/report';
import { skippedReport } from '../function/core/report/skipped-report';
import { plainText } from '../function/core/report/text';
import { parseCommandArgs } from './args';
import { CliError, errorText, EXIT } from './errors';
import { inputLabel, readEventFile, type InputRecord } from './files';
import { findingLine, wouldAction } from './format';
import type { Io } from './io';
import { loadPolicyFile, withMode } from './policy-file';

export const CHECK_HELP = `Usage: sg-sentry check [--policy FILE] [--json] EVENT.json...

Judges recorded security-group changes against a policy, offline: no AWS call is made and
nothing is changed. For each rule it prints the verdict, the reason and the action the Lambda
would take under the policy's mode and action.

Each file may hold:
  - an EventBridge event (what the Lambda receives),
  - a bare CloudTrail record (as copied from the CloudTrail console),
  - a CloudTrail log file {"Records": [...]} as delivered to S3, gzipped or not,
  - a JSON array of events.
Other events and failed calls are listed as ignored.

Options:
  --policy FILE  the policy document (JSON); default: the embedded policy
                 (sg-sentry policy default prints it)
  --json         print the reports as JSON on stdout
  --debug        print stack traces of unexpected errors
  -h, --help     show this help

Exit status: 0 nothing violates, 1 some rule violates the policy, 2 bad input
(unreadable file, bad JSON, invalid event or policy).

Offline limits: ModifySecurityGroupRules does not say whether a rule is ingress or egress, so
each such rule is judged both ways; exclude_tags cannot be applied (group tags are not read).
`;

/** The engine's report, each finding with what the Lambda would do under the policy's own mode. */
export type CheckedEventReport = Omit<EventReport, 'findings'> & { readonly findings: readonly (FindingReport & { readonly would_action: string })[] };

export interface CheckResult {
  readonly file: string;
  readonly record: number | null;
  readonly report: CheckedEventReport | SkippedReport;
  readonly notes: readonly string[];
}

/** A result and the engine's findings behind its report (not part of the JSON output). */
interface Checked {
  readonly result: CheckResult;
  readonly findings: readonly Finding[];
}

const NO_AWS = (what: string) => async (): Promise<never> => {
  throw new Error(`sg-sentry check makes no AWS calls (${what} was asked for)`);
};

/** Group tags are unknown offline: an empty answer makes `exclude_tags` match nothing. */
const OFFLINE_EC2: Ec2Port = {
  revokeRuleIds: NO_AWS('RevokeSecurityGroup*'),
  revokePermissions: NO_AWS('RevokeSecurityGroup*'),
  authorizePermissions: NO_AWS('AuthorizeSecurityGroup*'),
  describeRules: NO_AWS('DescribeSecurityGroupRules'),
  describeGroups: async () => [],
};

/** Offline, a Modify rule's direction is unknown: judge it both ways, the conservative reading. */
function withBothDirections(change: SecurityGroupChange): SecurityGroupChange {
  if (change.undirectedRules.length === 0) return change;
  const both = change.undirectedRules.flatMap((rule) => [
    { ...rule, direction: 'ingress' as const },
    { ...rule, direction: 'egress' as const },
  ]);
  return { ...change, rules: [...change.rules, ...both], undirectedRules: [] };
}

async function checkRecord(input: InputRecord, policy: Policy, offline: EngineContext): Promise<Checked> {
  const base = { file: input.file, record: input.index };
  const skipped = (report: SkippedReport): Checked => ({ result: { ...base, report, notes: [] }, findings: [] });
  let parsed;
  try {
    parsed = parseEvent(input.value);
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    return skipped(skippedReport('invalid', input.value, error.message, { problems: error.problems }));
  }
  if (parsed.kind === 'ignored') {
    return skipped(skippedReport('ignored', input.value, parsed.reason, { eventId: parsed.eventId, eventName: parsed.eventName }));
  }
  if (parsed.kind === 'sweep') {
    const reason = 'a Scheduled Event starts the sweep; run `sg-sentry scan` to sweep an account';
    return skipped(skippedReport('ignored', input.value, reason, { eventId: parsed.sweep.eventId, eventName: 'Scheduled Event' }));
  }
  if (parsed.kind === 'sweep-jobs') {
    const reason = 'an SQS batch of sweep jobs: the function sweeps each account and region it names; run `sg-sentry scan` to sweep an account';
    return skipped(skippedReport('ignored', input.value, reason));
  }
  const notes: string[] = [];
  if (parsed.change.undirectedRules.length > 0) {
    notes.push('ModifySecurityGroupRules does not say the direction; offline, each rule was judged as ingress and as egress');
  }
  if (Object.keys(policy.excludeTags).length > 0) notes.push('exclude_tags was not applied: group tags are not read offline');
  const { report, findings } = await processChange(withBothDirections(parsed.change), offline);
  const reported = report.findings.map((f, i) => ({ ...f, would_action: wouldAction(findings[i] as Finding, policy.mode) }));
  return { result: { ...base, report: { ...report, findings: reported }, notes }, findings };
}

function violates(result: CheckResult): boolean {
  return result.report.findings.some((f) => f.verdict === 'violation');
}

function printResult({ result, findings }: Checked, io: Io): void {
  const label = inputLabel({ file: result.file, index: result.record });
  const report = result.report;
  if (report.status === 'invalid') {
    io.err(`sg-sentry: ${label}: ${report.reason}\n`);
    io.out(`${label}: INVALID (see stderr)\n`);
    return;
  }
  if (report.status === 'ignored') {
    io.out(`${label}: ignored ${plainText(report.event_name ?? 'event', 100)}${report.event_id ? ` ${plainText(report.event_id, 100)}` : ''}: ${plainText(report.reason)}\n`);
    return;
  }
  const event = report as CheckedEventReport;
  io.out(`${label}: ${event.event_name} ${plainText(event.event_id, 100)}\n`);
  const group = plainText(event.group_id ?? event.group_name ?? 'unknown group', 100);
  const when = event.event_time ? ` at ${plainText(event.event_time, 40)}` : '';
  io.out(`  by ${plainText(event.principal ?? 'unknown principal')} on ${group} in ${plainText(event.region, 40)}${when}\n`);
  event.findings.forEach((f, i) => {
    // The action is the engine's decision; beneath it, why the rule got its verdict.
    io.out(`  ${findingLine(f)}  -> ${f.would_action}\n`);
    io.out(`      ${plainText(findings[i]?.verdictReason ?? f.reason)}\n`);
  });
  for (const note of result.notes) io.out(`  note: ${note}\n`);
}

export async function runCheck(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', args, {
    policy: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(CHECK_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new CliError('check: name at least one event file (see sg-sentry check --help)');
  const { policy, source } = loadPolicyFile(values.policy);
  const offline: EngineContext = { policy: withMode(policy, 'report'), portsFor: () => ({ ec2: OFFLINE_EC2 }), log: () => {}, now: () => new Date() };

  const checked: Checked[] = [];
  let unreadable = 0;
  for (const file of positionals) {
    let records: InputRecord[];
    try {
      records = readEventFile(file);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      unreadable += 1;
      io.err(errorText(error, values.debug === true));
      checked.push({ result: { file, record: null, report: skippedReport('invalid', undefined, error.message), notes: [] }, findings: [] });
      continue;
    }
    for (const record of records) {
      const result = await checkRecord(record, policy, offline);
      checked.push(result);
      if (!values.json) printResult(result, io);
    }
  }
  const results = checked.map((c) => c.result);

  const invalid = results.filter((r) => r.report.status === 'invalid').length;
  const violating = results.filter(violates).length;
  const exitCode = invalid > 0 ? EXIT.usage : violating > 0 ? EXIT.violations : EXIT.ok;
  const summary = {
    events: results.length - unreadable,
    violating,
    exempt: results.filter((r) => !violates(r) && r.report.findings.some((f) => f.verdict === 'exempt')).length,
    allowed: results.filter((r) => r.report.status === 'processed' && r.report.findings.every((f) => f.verdict === 'allowed')).length,
    ignored: results.filter((r) => r.report.status === 'ignored').length,
    invalid,
  };
  if (values.json) {
    for (const r of results) if (r.report.status === 'invalid' && r.record !== null) io.err(`sg-sentry: ${inputLabel({ file: r.file, index: r.record })}: ${r.report.reason}\n`);
    const document = { policy: { source, mode: policy.mode, action: policy.action }, summary, results, exit_code: exitCode };
    io.out(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.out(
      `\n${summary.events} event(s): ${summary.violating} violating, ${summary.exempt} exempt, ${summary.allowed} allowed, ${summary.ignored} ignored, ${summary.invalid} invalid\n` +
        `policy: ${source} (mode ${policy.mode}, action ${policy.action}); nothing was changed\n`,
    );
  }
  return exitCode;
}
