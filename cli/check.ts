/**
 * `sg-sentry check`: judge recorded events against a policy, offline. Each change runs through
 * the Lambda's own `processChange`, in report mode and with an EC2 port that refuses every call
 * that would reach AWS, so the verdicts are the function's verdicts.
 */
import type { SecurityGroupChange } from '../function/core/event/change';
import { processChange } from '../function/core/engine';
import { defaultEgressOf } from '../function/core/lookup/created-group';
import { EventValidationError, messageOf } from '../function/core/errors';
import { parseEvent } from '../function/core/event/parse-event';
import { parsePolicy, type Policy } from '../function/core/policy/policy';
import type { Finding } from '../function/core/model/finding';
import type { Ec2Port, EngineContext } from '../function/core/ports';
import type { SkippedReport } from '../function/core/report/report';
import { skippedReport } from '../function/core/report/skipped-report';
import { plainText } from '../function/core/report/text';
import { parseCommandArgs } from './args';
import { CliError, errorText, EXIT } from './errors';
import {
  eventRecords,
  expandInputs,
  inputLabel,
  type InputRecord,
  type InputSource,
  parseJsonBytes,
  readEventFile,
  STDIN_LABEL,
} from './files';
import { findingLine, wouldAction } from './format';
import { Progress, type Io } from './io';
import { FORMAT_OPTIONS, outputFormat, printDocument } from './output-format';
import { loadPolicyFile, withMode } from './policy-file';
import { type CheckedEventReport, type RunFailure, type RunResult, runDocument } from './run-document';

export const CHECK_HELP = `Usage: sg-sentry check [--policy FILE] [--format text|json|sarif] INPUT...

Judges recorded security-group changes against a policy, offline: no AWS call is made and
nothing is changed. For each rule it prints the verdict, the reason and the action the Lambda
would take under the policy's mode and action.

Each INPUT is a file, a directory (every .json and .json.gz file below it, as
\`aws s3 sync\` of a trail bucket lays them out), or - for standard input. Each may hold:
  - an EventBridge event (what the Lambda receives),
  - a bare CloudTrail record (as copied from the CloudTrail console),
  - a CloudTrail log file {"Records": [...]} as delivered to S3, gzipped or not,
  - the output of \`aws cloudtrail lookup-events\` {"Events": [{"CloudTrailEvent": "..."}]},
  - a JSON array of events.
Other events and failed calls are ignored: listed for the files named, counted for the files
found in a directory.

Options:
  --policy FILE     the policy document (JSON); default: the embedded policy
                    (sg-sentry policy default prints it)
  --format FORMAT   text (default), json (one document: docs/cli.md), or sarif (SARIF 2.1.0,
                    one result per violation, for code-scanning dashboards)
  --json            the same as --format json
  --debug           print stack traces of unexpected errors
  -h, --help        show this help

Progress goes to stderr when it is a terminal; results to stdout.

Exit status: 0 nothing violates, 1 some rule violates the policy, 2 bad input
(unreadable file, bad JSON, invalid event or policy).

Offline limits: ModifySecurityGroupRules does not say whether a rule is ingress or egress, so
each such rule is judged both ways; exclude_tags cannot be applied (group tags are not read);
prefix lists are not read, so a rule referencing one is judged by reference.
`;

/** A result and the engine's findings behind its report (not part of the JSON output). */
interface Checked {
  readonly result: RunResult;
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
  describeGroupByName: async () => undefined,
  deleteTag: NO_AWS('DeleteTags'),
  describePrefixLists: NO_AWS('DescribeManagedPrefixLists'),
  prefixListEntries: NO_AWS('GetManagedPrefixListEntries'),
  removePrefixListEntries: NO_AWS('ModifyManagedPrefixList'),
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
  const base = { input: inputLabel(input), file: input.file, record: input.index };
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
  if (parsed.kind === 'unreadable') {
    const { unreadable } = parsed;
    const instead =
      unreadable.groupIds.length > 0 && unreadable.region !== undefined
        ? `the function judges the current rules of ${unreadable.groupIds.join(', ')} instead`
        : 'no group can be read from it: the function reports it as could not be checked';
    const reason = `invalid event: ${unreadable.problems.join('; ')}; ${instead}`;
    return skipped(
      skippedReport('invalid', input.value, reason, {
        eventId: unreadable.eventId,
        eventName: unreadable.eventName,
        problems: unreadable.problems,
      }),
    );
  }
  if (parsed.kind === 'prefix-list-change') {
    const reason = `a change of prefix list ${parsed.change.prefixListId} is judged against the rules that reference it, which check does not read offline`;
    return skipped(skippedReport('ignored', input.value, reason, { eventId: parsed.change.eventId, eventName: parsed.change.eventName }));
  }
  if (parsed.kind === 'sweep') {
    const reason = 'a Scheduled Event starts the sweep; run `sg-sentry scan` to sweep an account';
    return skipped(skippedReport('ignored', input.value, reason, { eventId: parsed.sweep.eventId, eventName: 'Scheduled Event' }));
  }
  if (parsed.kind === 'sweep-jobs') {
    const reason =
      'an SQS batch of sweep jobs: the function sweeps each account and region it names; run `sg-sentry scan` to sweep an account';
    return skipped(skippedReport('ignored', input.value, reason));
  }
  if (parsed.kind === 'tag-change') {
    const reason = `${parsed.change.eventName} makes the function judge the groups it tags with their current rules and tags, which are not read offline; run \`sg-sentry scan\` to judge them`;
    return skipped(skippedReport('ignored', input.value, reason, { eventId: parsed.change.eventId, eventName: parsed.change.eventName }));
  }
  const notes: string[] = [];
  if (parsed.change.undirectedRules.length > 0) {
    notes.push('ModifySecurityGroupRules does not say the direction; offline, each rule was judged as ingress and as egress');
  }
  if (Object.keys(policy.excludeTags).length > 0) notes.push('exclude_tags was not applied: group tags are not read offline');
  if (policy.inspectPrefixLists && parsed.change.rules.some((rule) => rule.source.kind === 'prefix_list')) {
    notes.push('prefix lists are not read offline: a rule referencing one was judged by reference, as with inspect_prefix_lists false');
  }
  const created = defaultEgressOf(parsed.change);
  if (created.length > 0)
    notes.push('CreateSecurityGroup: offline, the new group was judged by the default egress rule EC2 gives it (all traffic to 0.0.0.0/0)');
  const change = withBothDirections({ ...parsed.change, rules: [...parsed.change.rules, ...created], createdGroup: false });
  const { report, findings } = await processChange(change, offline);
  const reported = report.findings.map((f, i) => ({ ...f, would_action: wouldAction(findings[i] as Finding, policy.mode) }));
  return { result: { ...base, report: { ...report, findings: reported }, notes }, findings };
}

function violates(result: RunResult): boolean {
  return result.report.findings.some((f) => f.verdict === 'violation');
}

/** `sg-0abc (prod-web)`: the group as people know it; event text is escaped, never trusted. */
function groupText(event: CheckedEventReport): string {
  const id = event.group_id ?? event.group_name ?? 'unknown group';
  const name = event.group_id !== null && event.group_name !== null ? ` (${plainText(event.group_name, 100)})` : '';
  return `${plainText(id, 100)}${name}`;
}

/** Prints one result; an ignored record only when its file was named (not found in a directory). */
function printResult({ result, findings }: Checked, listIgnored: boolean, io: Io): void {
  const report = result.report;
  if (report.status === 'invalid') {
    io.err(`sg-sentry: ${result.input}: ${report.reason}\n`);
    io.out(`${result.input}: INVALID (see stderr)\n`);
    return;
  }
  if (report.status === 'ignored') {
    if (!listIgnored) return;
    const id = report.event_id ? ` ${plainText(report.event_id, 100)}` : '';
    io.out(`${result.input}: ignored ${plainText(report.event_name ?? 'event', 100)}${id}: ${plainText(report.reason)}\n`);
    return;
  }
  const event = report as CheckedEventReport;
  io.out(`${result.input}: ${event.event_name} ${plainText(event.event_id, 100)}\n`);
  const when = event.event_time ? ` at ${plainText(event.event_time, 40)}` : '';
  io.out(`  by ${plainText(event.principal ?? 'unknown principal')} on ${groupText(event)} in ${plainText(event.region, 40)}${when}\n`);
  event.findings.forEach((f, i) => {
    // The action is the engine's decision; beneath it, why the rule got its verdict.
    io.out(`  ${findingLine(f)}  -> ${f.would_action}\n`);
    io.out(`      ${plainText(findings[i]?.verdictReason ?? f.reason)}\n`);
  });
  for (const note of result.notes) io.out(`  note: ${note}\n`);
}

/** The events of one input; a file that cannot be read or parsed throws `CliError` naming it. */
function recordsOf(source: InputSource, io: Io): InputRecord[] {
  if (source.kind === 'file') return readEventFile(source.file);
  let bytes: Buffer;
  try {
    bytes = io.readStdin();
  } catch (error) {
    throw new CliError(`${STDIN_LABEL}: cannot be read: ${messageOf(error)}`, undefined, { cause: error });
  }
  return eventRecords(STDIN_LABEL, parseJsonBytes(STDIN_LABEL, bytes));
}

export async function runCheck(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('check', args, { policy: { type: 'string' }, ...FORMAT_OPTIONS });
  if (values.help) {
    io.out(CHECK_HELP);
    return EXIT.ok;
  }
  const format = outputFormat('check', values);
  if (positionals.length === 0)
    throw new CliError('check: name at least one event file, directory, or - for standard input (see sg-sentry check --help)');
  const { policy, source } = loadPolicyFile(values.policy);
  const sources = expandInputs(positionals);
  const named = new Set(positionals);
  // Prefix lists cannot be read offline, so they are trusted by reference (the check says so).
  const offlinePolicy = parsePolicy({ ...withMode(policy, 'report').document, inspect_prefix_lists: false });
  const offline: EngineContext = { policy: offlinePolicy, portsFor: () => ({ ec2: OFFLINE_EC2 }), log: () => {}, now: () => new Date() };

  const results: RunResult[] = [];
  const failures: RunFailure[] = [];
  const progress = new Progress(io);
  let unlisted = 0;
  for (const [n, input] of sources.entries()) {
    if (sources.length > 1) progress.update(`check: file ${n + 1} of ${sources.length}, ${results.length} event(s)`);
    let records: InputRecord[];
    try {
      records = recordsOf(input, io);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      progress.done();
      io.err(errorText(error, values.debug === true));
      failures.push({ input: input.kind === 'stdin' ? STDIN_LABEL : input.file, error: error.message });
      continue;
    }
    // Files found by walking a directory hold whole trails: their other events are only counted.
    const listIgnored = input.kind === 'stdin' || named.has(input.file);
    for (const record of records) {
      const checked = await checkRecord(record, policy, offline);
      results.push(checked.result);
      if (!listIgnored && checked.result.report.status === 'ignored') unlisted += 1;
      if (format === 'text') {
        progress.done();
        printResult(checked, listIgnored, io);
      } else if (checked.result.report.status === 'invalid') {
        io.err(`sg-sentry: ${checked.result.input}: ${checked.result.report.reason}\n`);
      }
    }
  }
  progress.done();

  const invalid = results.filter((r) => r.report.status === 'invalid').length;
  const violating = results.filter(violates).length;
  const exitCode = invalid > 0 || failures.length > 0 ? EXIT.usage : violating > 0 ? EXIT.violations : EXIT.ok;
  if (format !== 'text') {
    const document = runDocument({
      command: 'check',
      policy: { source, mode: policy.mode, action: policy.action },
      runMode: 'report',
      results,
      failures,
      exitCode,
    });
    printDocument(document, format, io);
    return exitCode;
  }
  const events = {
    all: results.length,
    exempt: results.filter((r) => !violates(r) && r.report.findings.some((f) => f.verdict === 'exempt')).length,
    allowed: results.filter((r) => r.report.status === 'processed' && r.report.findings.every((f) => f.verdict === 'allowed')).length,
    ignored: results.filter((r) => r.report.status === 'ignored').length,
  };
  const quiet = unlisted > 0 ? ` (${unlisted} not listed: in files found in a directory)` : '';
  io.out(
    `\n${events.all} event(s): ${violating} violating, ${events.exempt} exempt, ${events.allowed} allowed, ${events.ignored} ignored${quiet}, ${invalid} invalid` +
      `${failures.length > 0 ? `; ${failures.length} input(s) could not be read` : ''}\n` +
      `policy: ${source} (mode ${policy.mode}, action ${policy.action}); nothing was changed\n`,
  );
  return exitCode;
}
