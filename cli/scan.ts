/**
 * `sg-sentry scan`: the scheduled sweep, run from a terminal with the caller's credentials. Same
 * adapter (Ec2Adapter), same sweep code (processSweep); read-only unless --fix.
 */
import { Ec2Adapter } from '../function/adapters/ec2-adapter';
import { Ec2CallError, RetryableRemediationError } from '../function/core/errors';
import type { EngineContext, Ec2Port } from '../function/core/ports';
import type { SweepReport } from '../function/core/report/report';
import { findingRuleParts } from '../function/core/report/rule-text';
import { plainText } from '../function/core/report/text';
import { processSweep, type SweepProgress } from '../function/core/sweep';
import { parseCommandArgs } from './args';
import { CliError, EXIT } from './errors';
import { table } from './format';
import type { Io } from './io';
import { loadPolicyFile, withMode } from './policy-file';

export const SCAN_HELP = `Usage: sg-sentry scan [--policy FILE] [--region R ...] [--fix] [--json]

Lists the rules of every security group the policy watches, in each region, and judges them
with the same code the scheduled sweep runs. Read-only unless --fix.

Options:
  --policy FILE  the policy document (JSON); default: the embedded policy
  --region R     a region to scan; repeat (or comma-separate) for several.
                 Default: AWS_REGION, else AWS_DEFAULT_REGION
  --fix          act on violations: revoke them (or restrict, per the policy's action),
                 whatever the policy's mode says. Without --fix nothing is changed.
  --json         print the sweep reports as JSON on stdout
  --debug        print stack traces of unexpected errors
  -h, --help     show this help

Credentials come from the standard AWS SDK chain (environment, profile, SSO, instance role).
Needs ec2:DescribeSecurityGroupRules; ec2:DescribeSecurityGroups when the policy has
exclude_tags; with --fix also ec2:RevokeSecurityGroupIngress/Egress (and
ec2:AuthorizeSecurityGroupIngress/Egress for action restrict).

Progress goes to stderr, the table or JSON to stdout.

Exit status: 0 no violations (or, with --fix, none left), 1 violations found (or, with
--fix, some remain), 2 bad usage or policy, 3 an AWS call failed.
`;

function regionsOf(values: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const given = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (given.length > 0) return [...new Set(given)];
  const fromEnv = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (fromEnv) return [fromEnv];
  throw new CliError('scan: no region: pass --region R, or set AWS_REGION (see sg-sentry scan --help)');
}

function progressLine(p: SweepProgress): string {
  return `scan ${p.region}: page ${p.pages}, ${p.rules} rules in ${p.groups} groups, ${p.violations} violation(s)`;
}

function failureHint(error: Error): string {
  const cause = error instanceof RetryableRemediationError ? error.cause : error;
  const code = cause instanceof Ec2CallError ? cause.code : '';
  if (/Credential|ExpiredToken|InvalidClientTokenId|AuthFailure/i.test(code)) {
    return ' (check your AWS credentials: environment, AWS_PROFILE, `aws sso login`)';
  }
  if (/Unauthorized|AccessDenied/i.test(code)) return ' (the caller lacks a permission; see sg-sentry scan --help)';
  return '';
}

function findingRows(report: SweepReport): string[][] {
  return report.findings.map((f) => {
    const rule = findingRuleParts(f);
    return [
      report.region,
      plainText(f.group_id ?? f.group_name ?? '-', 40),
      f.direction,
      plainText(f.rule_id ?? '-', 40),
      rule.traffic,
      plainText(rule.source, 60),
      f.verdict,
      f.action,
    ];
  });
}

function summaryLine(report: SweepReport, fix: boolean): string {
  const c = report.counts;
  const acted = fix
    ? `${c.revoked} revoked, ${c.restricted} restricted, ${c.already_removed} already removed, ${c.failed} failed`
    : 'nothing was changed (run with --fix to act)';
  const incomplete = report.incomplete ? `; INCOMPLETE: ${report.not_reached.map((r) => r.reason).join('; ')}` : '';
  return `${report.region}: ${c.rules} rules in ${c.groups} groups (${report.pages} page(s)): ${c.violations} violation(s), ${c.exempt} exempt; ${acted}${incomplete}\n`;
}

export async function runScan(args: readonly string[], io: Io, ec2ForRegion: (region: string) => Ec2Port = Ec2Adapter.forRegion): Promise<number> {
  const { values } = parseCommandArgs('scan', args, {
    policy: { type: 'string' },
    region: { type: 'string', multiple: true },
    fix: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.out(SCAN_HELP);
    return EXIT.ok;
  }
  const fix = values.fix === true;
  const regions = regionsOf(values.region, io.env);
  const { policy, source } = loadPolicyFile(values.policy);
  const effective = withMode(policy, fix ? 'enforce' : 'report');
  const ctx: EngineContext = { policy: effective, portsFor: ({ region }) => ({ ec2: ec2ForRegion(region) }), log: () => {}, now: () => new Date() };
  io.err(`scan: ${regions.join(', ')} with ${source}${fix ? ` (--fix: violations will be ${policy.action === 'restrict' ? 'restricted' : 'revoked'})` : ' (read-only)'}\n`);

  const reports: SweepReport[] = [];
  const failures: { region: string; error: string }[] = [];
  for (const region of regions) {
    const onProgress = (p: SweepProgress) => io.err(io.errIsTty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`);
    try {
      reports.push(await processSweep({ region, time: new Date().toISOString() }, ctx, { onProgress }));
      if (io.errIsTty) io.err('\n');
    } catch (error) {
      if (io.errIsTty) io.err('\n');
      if (!(error instanceof Ec2CallError) && !(error instanceof RetryableRemediationError)) throw error;
      const message = `${error.message}${failureHint(error)}`;
      failures.push({ region, error: message });
      io.err(`sg-sentry: scan of ${region} failed: ${message}\n`);
    }
  }
  for (const report of reports) for (const e of report.errors) io.err(`sg-sentry: ${report.region}: ${e}\n`);

  const awsFailed = failures.length > 0 || reports.some((r) => r.errors.length > 0);
  const violationsLeft = reports.some((r) => (fix ? r.counts.failed > 0 || r.incomplete : r.counts.violations > 0));
  const exitCode = awsFailed ? EXIT.aws : violationsLeft ? EXIT.violations : EXIT.ok;

  if (values.json) {
    const document = { policy: { source, mode: effective.mode, action: effective.action }, fix, regions: reports, failures, exit_code: exitCode };
    io.out(`${JSON.stringify(document, null, 2)}\n`);
    return exitCode;
  }
  const rows = reports.flatMap(findingRows);
  if (rows.length > 0) io.out(`${table(['REGION', 'GROUP', 'DIRECTION', 'RULE', 'TRAFFIC', 'SOURCE', 'VERDICT', 'ACTION'], rows)}\n`);
  for (const report of reports) io.out(summaryLine(report, fix));
  for (const f of failures) io.out(`${f.region}: FAILED: ${f.error}\n`);
  return exitCode;
}
