/**
 * `sg-sentry scan`: the scheduled sweep, run from a terminal or a pipeline with the caller's
 * credentials. Same adapter (Ec2Adapter), same sweep code (processSweep); read-only unless --fix.
 */
import { Ec2CallError, messageOf, RetryableRemediationError } from '../function/core/errors';
import type { EngineContext } from '../function/core/ports';
import type { FindingReport, SweepReport } from '../function/core/report/report';
import { findingRuleParts } from '../function/core/report/rule-text';
import { plainText } from '../function/core/report/text';
import { processSweep, type SweepProgress } from '../function/core/sweep';
import { parseCommandArgs } from './args';
import { type AwsSession, failureHint, sdkSession } from './aws-session';
import { CliError, EXIT } from './errors';
import { table } from './format';
import { Progress, type Io } from './io';
import { FORMAT_OPTIONS, outputFormat, printDocument } from './output-format';
import { loadPolicyFile, withMode } from './policy-file';
import { type RunFailure, type RunResult, runDocument } from './run-document';

export const SCAN_HELP = `Usage: sg-sentry scan [--policy FILE] [--regions R1,R2|all] [--profile P] [--fix]
                      [--format text|json|sarif]

Lists the rules of every security group the policy watches, in each region, and judges them
with the same code the scheduled sweep runs. Read-only unless --fix.

Options:
  --policy FILE      the policy document (JSON); default: the embedded policy
  --regions LIST     the regions to scan, comma-separated, or \`all\`: every region enabled
                     for the account (ec2:DescribeRegions). Default: AWS_REGION, else
                     AWS_DEFAULT_REGION, else the profile's region. --region R (repeatable)
                     is the same.
  --profile P        the named profile of the shared AWS config and credentials files
                     (instead of the environment's credentials or AWS_PROFILE)
  --fix              act on violations: revoke them (or restrict, per the policy's action),
                     whatever the policy's mode says. Without --fix nothing is changed.
  --format FORMAT    text (default: a table and one line per region), json (one document:
                     docs/cli.md), or sarif (SARIF 2.1.0, one result per violation)
  --json             the same as --format json
  --debug            print stack traces of unexpected errors
  -h, --help         show this help

Credentials come from the standard AWS SDK chain (environment, profile, SSO, instance role).
Needs sts:GetCallerIdentity (allowed to every caller), ec2:DescribeSecurityGroupRules and
ec2:DescribeSecurityGroups (the group names; also exclude_tags); ec2:DescribeRegions with
--regions all; with --fix also ec2:RevokeSecurityGroupIngress/Egress (and
ec2:AuthorizeSecurityGroupIngress/Egress for action restrict).

Progress goes to stderr when it is a terminal; results to stdout; each error once, to stderr.

Exit status: 0 no violations (or, with --fix, none left), 1 violations found (or, with
--fix, some remain), 2 bad usage or policy, 3 an AWS call failed.
`;

/** EC2 takes at most 200 group ids in one DescribeSecurityGroups call. */
const GROUP_BATCH_LIMIT = 200;

function listed(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

async function regionsOf(values: { region?: string[] | undefined; regions?: string | undefined }, session: AwsSession): Promise<string[]> {
  const given = [...new Set(listed([...(values.region ?? []), ...(values.regions !== undefined ? [values.regions] : [])]))];
  if (given.includes('all')) {
    if (given.length > 1) throw new CliError('scan: --regions all already means every enabled region; name no other');
    return session.enabledRegions((await session.configuredRegion()) ?? 'us-east-1');
  }
  if (given.length > 0) return given;
  const configured = await session.configuredRegion();
  if (configured) return [configured];
  throw new CliError('scan: no region: pass --regions R1,R2 (or all), or set AWS_REGION (see sg-sentry scan --help)');
}

function progressLine(p: SweepProgress): string {
  return `scan ${p.region}: page ${p.pages}, ${p.rules} rules in ${p.groups} groups, ${p.violations} violation(s)`;
}

function codeOf(error: Error): string {
  const cause = error instanceof RetryableRemediationError ? error.cause : error;
  return cause instanceof Ec2CallError ? cause.code : '';
}

/**
 * The sweep lists rules, which do not carry their group's name: one DescribeSecurityGroups per
 * 200 groups with findings adds it. Best effort: without the permission the names stay unknown.
 */
async function withGroupNames(report: SweepReport, session: AwsSession): Promise<{ report: SweepReport; problem?: string }> {
  const ids = [
    ...new Set(
      report.findings
        .filter((f) => f.group_name === undefined)
        .map((f) => f.group_id)
        .filter((id): id is string => id !== undefined),
    ),
  ];
  if (ids.length === 0) return { report };
  const names = new Map<string, string>();
  try {
    for (let i = 0; i < ids.length; i += GROUP_BATCH_LIMIT) {
      for (const group of await session.ec2(report.region).describeGroups(ids.slice(i, i + GROUP_BATCH_LIMIT))) {
        if (group.groupName !== undefined) names.set(group.groupId, group.groupName);
      }
    }
  } catch (error) {
    const message = messageOf(error);
    return { report, problem: `group names not shown: DescribeSecurityGroups failed: ${message}` };
  }
  const findings: FindingReport[] = report.findings.map((f) => {
    const name = f.group_id === undefined ? undefined : names.get(f.group_id);
    return f.group_name === undefined && name !== undefined ? { ...f, group_name: name } : f;
  });
  return { report: { ...report, findings } };
}

function findingRows(report: SweepReport): string[][] {
  return report.findings.map((f) => {
    const rule = findingRuleParts(f);
    return [
      report.region,
      plainText(f.group_id ?? '-', 40),
      plainText(f.group_name ?? '-', 40),
      f.direction,
      plainText(f.rule_id ?? '-', 40),
      rule.traffic,
      plainText(rule.source, 60),
      f.verdict,
      f.action,
      plainText(f.reason, 300),
    ];
  });
}

/** Not-reached parts whose reason is an error were printed on stderr already; say only that. */
function incompleteText(report: SweepReport): string {
  if (!report.incomplete) return '';
  const reasons = [...new Set(report.not_reached.map((r) => r.reason).filter((r) => !/failed|could not be read/.test(r)))];
  const errors = report.errors.length > 0 ? ['errors above'] : [];
  return `; INCOMPLETE: ${[...reasons, ...errors].join('; ')}`;
}

function summaryLine(report: SweepReport, fix: boolean): string {
  const c = report.counts;
  const acted = fix
    ? `${c.revoked} revoked, ${c.restricted} restricted, ${c.already_removed} already removed, ${c.failed} failed`
    : 'nothing was changed (run with --fix to act)';
  return `${report.region}: ${c.rules} rules in ${c.groups} groups (${report.pages} page(s)): ${c.violations} violation(s), ${c.exempt} exempt; ${acted}${incompleteText(report)}\n`;
}

export async function runScan(
  args: readonly string[],
  io: Io,
  sessionFor: (profile: string | undefined, env: NodeJS.ProcessEnv) => AwsSession = sdkSession,
): Promise<number> {
  const { values } = parseCommandArgs('scan', args, {
    policy: { type: 'string' },
    region: { type: 'string', multiple: true },
    regions: { type: 'string' },
    profile: { type: 'string' },
    fix: { type: 'boolean' },
    ...FORMAT_OPTIONS,
  });
  if (values.help) {
    io.out(SCAN_HELP);
    return EXIT.ok;
  }
  const format = outputFormat('scan', values);
  const fix = values.fix === true;
  const { policy, source } = loadPolicyFile(values.policy);
  const session = sessionFor(values.profile?.trim() || undefined, io.env);
  const regions = await regionsOf(values, session);
  const account = await session.callerAccount(regions[0] as string);
  const effective = withMode(policy, fix ? 'enforce' : 'report');
  const ctx: EngineContext = {
    policy: effective,
    portsFor: ({ region }) => ({ ec2: session.ec2(region) }),
    log: () => {},
    now: () => new Date(),
  };
  io.err(`scan: account ${account}, ${regions.join(', ')} with ${source}${fix ? ` (--fix: violations will be ${policy.action === 'restrict' ? 'restricted' : 'revoked'})` : ' (read-only)'}
`);

  const results: RunResult[] = [];
  const failures: RunFailure[] = [];
  const progress = new Progress(io);
  for (const region of regions) {
    let swept: SweepReport;
    try {
      swept = await processSweep({ account, region, time: new Date().toISOString() }, ctx, {
        onProgress: (p) => progress.update(progressLine(p)),
      });
    } catch (error) {
      progress.done();
      if (!(error instanceof Ec2CallError) && !(error instanceof RetryableRemediationError)) throw error;
      const message = `${error.message}${failureHint(codeOf(error), 'scan')}`;
      failures.push({ input: region, error: message });
      io.err(`sg-sentry: scan of ${region} failed: ${message}\n`);
      continue;
    }
    progress.done();
    const named = await withGroupNames(swept, session);
    for (const e of named.report.errors) io.err(`sg-sentry: ${region}: ${e}\n`);
    if (named.problem !== undefined) io.err(`sg-sentry: ${region}: ${named.problem}\n`);
    results.push({ input: region, region, report: named.report, notes: named.problem !== undefined ? [named.problem] : [] });
  }

  const reports = results.map((r) => r.report as SweepReport);
  const awsFailed = failures.length > 0 || reports.some((r) => r.errors.length > 0);
  const violationsLeft = reports.some((r) =>
    fix ? r.counts.failed > 0 || r.counts.cannot_evaluate > 0 || r.incomplete : r.counts.violations > 0,
  );
  const exitCode = awsFailed ? EXIT.aws : violationsLeft ? EXIT.violations : EXIT.ok;

  if (format !== 'text') {
    const document = runDocument({
      command: 'scan',
      callerAccount: account,
      policy: { source, mode: policy.mode, action: policy.action },
      runMode: effective.mode,
      results,
      failures,
      exitCode,
    });
    printDocument(document, format, io);
    return exitCode;
  }
  const rows = reports.flatMap(findingRows);
  if (rows.length > 0)
    io.out(`${table(['REGION', 'GROUP', 'NAME', 'DIRECTION', 'RULE', 'TRAFFIC', 'SOURCE', 'VERDICT', 'ACTION', 'REASON'], rows)}\n`);
  for (const report of reports) io.out(summaryLine(report, fix));
  for (const f of failures) io.out(`${f.input}: not scanned (the error is above)\n`);
  return exitCode;
}
