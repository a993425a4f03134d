/**
 * `--format sarif`: the run as a SARIF 2.1.0 log, for code-scanning dashboards. One result per
 * violation (level `error`), the reason as its message, the security group as its logical
 * location, the file it came from (check) as its physical location, and the rule's stable name
 * as its fingerprint, so a dashboard tracks the same opening across runs.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { findingId } from '../function/core/report/finding-id';
import type { FindingReport } from '../function/core/report/report';
import { findingRuleText } from '../function/core/report/rule-text';
import { STDIN_LABEL } from './files';
import type { RunDocument, RunResult } from './run-document';

const SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://github.com/sg-sentry/sg-sentry#readme';

/** One SARIF rule per direction: dashboards group and filter by it. */
const RULES = {
  ingress: {
    id: 'sg-sentry/ingress-not-allowed',
    name: 'IngressNotAllowed',
    shortDescription: { text: 'An ingress rule the allowlist policy does not cover' },
    fullDescription: {
      text: 'A security-group ingress rule (one source, protocol and port range) that no ingress.allow entry of the policy covers. The deployed function revokes it (or restricts it, with action restrict).',
    },
  },
  egress: {
    id: 'sg-sentry/egress-not-allowed',
    name: 'EgressNotAllowed',
    shortDescription: { text: 'An egress rule the allowlist policy does not cover' },
    fullDescription: {
      text: 'A security-group egress rule (one destination, protocol and port range) that no egress.allow entry of the policy covers. The deployed function revokes it (or restricts it, with action restrict).',
    },
  },
} as const;

const RULE_INDEX = { ingress: 0, egress: 1 } as const;

/** A file as a URI: relative to the working directory (the repository root in CI), forward slashes, escaped. */
function artifactLocation(file: string): Sarif.ArtifactLocation {
  const path = isAbsolute(file) ? relative(process.cwd(), file) : file;
  if (path.startsWith('..') || isAbsolute(path)) return { uri: pathToFileURL(file).href };
  return { uri: path.split(sep).join('/').split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

interface Place {
  readonly account: string | null;
  readonly region: string;
  readonly groupId: string | null;
  readonly groupName: string | null;
}

function placeOf(result: RunResult, finding: FindingReport): Place {
  const report = result.report;
  const account = 'account' in report ? report.account : null;
  const region = 'region' in report ? report.region : (result.region ?? 'unknown');
  const eventGroup = 'group_id' in report ? report.group_id : null;
  const eventGroupName = 'group_name' in report ? report.group_name : null;
  return {
    account,
    region,
    groupId: finding.group_id ?? eventGroup,
    groupName: finding.group_name ?? eventGroupName,
  };
}

function sarifResult(result: RunResult, finding: FindingReport): Sarif.Result {
  const place = placeOf(result, finding);
  const report = result.report;
  const group = place.groupId ?? place.groupName ?? 'unknown group';
  const location: Sarif.Location = {
    ...(result.file !== undefined && result.file !== STDIN_LABEL
      ? { physicalLocation: { artifactLocation: artifactLocation(result.file) } }
      : {}),
    logicalLocations: [
      {
        name: group,
        fullyQualifiedName: `${place.account ?? 'unknown'}/${place.region}/${group}`,
        kind: 'resource',
      },
    ],
  };
  return {
    ruleId: RULES[finding.direction].id,
    ruleIndex: RULE_INDEX[finding.direction],
    level: 'error',
    message: { text: finding.reason },
    locations: [location],
    partialFingerprints: { 'sgSentryRule/v1': findingId(place, finding) },
    properties: {
      account: place.account,
      region: place.region,
      group_id: place.groupId,
      group_name: place.groupName,
      direction: finding.direction,
      rule: findingRuleText(finding),
      rule_id: finding.rule_id ?? null,
      action: finding.action,
      ...('would_action' in finding ? { would_action: finding.would_action } : {}),
      ...('event_id' in report && report.event_id !== null ? { event_id: report.event_id } : {}),
      ...('principal' in report ? { principal: report.principal } : {}),
      ...(result.record !== undefined && result.record !== null ? { record: result.record } : {}),
    },
  };
}

export function sarifLog(document: RunDocument): Sarif.Log {
  const results = document.results.flatMap((result) =>
    result.report.findings.filter((f) => f.verdict === 'violation').map((finding) => sarifResult(result, finding)),
  );
  const notifications: Sarif.Notification[] = document.failures.map((f) => ({
    level: 'error',
    message: { text: `${f.input}: ${f.error}` },
  }));
  return {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sg-sentry',
            version: document.tool.version,
            semanticVersion: document.tool.version,
            informationUri: INFORMATION_URI,
            rules: [RULES.ingress, RULES.egress].map((rule) => ({
              ...rule,
              defaultConfiguration: { level: 'error' },
              helpUri: INFORMATION_URI,
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: document.failures.length === 0 && document.summary.invalid === 0,
            exitCode: document.exit_code,
            ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        automationDetails: { id: `sg-sentry/${document.command}/` },
        results,
        properties: {
          account: document.account,
          policy: document.policy,
          run_mode: document.run_mode,
          summary: document.summary,
        },
      },
    ],
  };
}
