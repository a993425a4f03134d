/**
 * A watched event that could not be read and names no group sg-sentry could judge instead:
 * nothing was checked, so people must look. The log line's message is fixed: the module's
 * metric filter matches it and raises an alarm.
 */
import type { UnreadableEvent } from '../event/change';
import type { NotificationMessage } from '../ports';
import type { SkippedReport } from './report';
import { reportJson } from './report-json';
import { fitToSns } from './size-bounds';
import { boundedProblems, boundedText, emailText, FIELD_BYTES, subjectText } from './text';

/** The `message` of the error-level log line; the module's metric filter matches exactly this. */
export const COULD_NOT_CHECK_MESSAGE = 'sg-sentry could not check event';

export function couldNotCheckReport(event: UnreadableEvent, reason: string): SkippedReport {
  return {
    status: 'invalid',
    event_id: boundedText(event.eventId),
    event_name: event.eventName,
    reason: boundedText(reason, 4 * FIELD_BYTES),
    problems: boundedProblems(event.problems),
    could_not_check: true,
    findings: [],
  };
}

/** The log line: error level, with where to look (account, region, who made the call). */
export function couldNotCheckLogLine(event: UnreadableEvent, report: SkippedReport): Record<string, unknown> {
  return {
    level: 'error',
    ...report,
    message: COULD_NOT_CHECK_MESSAGE,
    account: event.account ?? null,
    region: event.region ?? null,
    principal: boundedText(event.principal.arn) ?? null,
  };
}

export function couldNotCheckNotification(event: UnreadableEvent, report: SkippedReport): NotificationMessage {
  const p = event.principal;
  const email = [
    `COULD NOT BE CHECKED: ${emailText(event.eventName)} ${emailText(event.eventId, 100)}`,
    '',
    'sg-sentry could not read this event and it names no security group to check instead,',
    'so nothing was judged or changed. Look at the change in CloudTrail and check the group by hand.',
    '',
    `Why: ${emailText(report.reason, 2000)}`,
    '',
    'Who',
    `  principal: ${emailText(p.arn)}`,
    `  source IP: ${emailText(p.sourceIp)}`,
    `  user agent: ${emailText(p.userAgent)}`,
    '',
    `When: ${emailText(event.eventTime)}`,
    `Where: account ${emailText(event.account)}, region ${emailText(event.region)}`,
    `CloudTrail event id: ${emailText(event.eventId, 100)}`,
  ].join('\n');
  return fitToSns(
    {
      subject: subjectText(`sg-sentry: could not check ${event.eventName} ${event.eventId}`),
      email,
      json: reportJson(report),
      attributes: { action: 'could-not-check', group_id: 'unknown', event_name: event.eventName },
    },
    report,
  );
}
