/**
 * The alarm for changes nobody checked: a metric filter on the function's "could not check"
 * log line, and one alarm on that count and the function's own CouldNotCheck metric that tells
 * the topic, which lets the alarm publish.
 */
import { expect } from 'chai';
import { COULD_NOT_CHECK_MESSAGE, couldNotCheckLogLine, couldNotCheckReport } from '../../function/core/report/could-not-check';
import { SecurityGroupSentry, type SecurityGroupSentryProps } from '../../modules/security-group-sentry';
import { bareStack } from '../../modules/synthesize-module';

type Json = Record<string, any>;

function synthesize(props: Partial<SecurityGroupSentryProps> = {}): Json {
  const stack = bareStack('test');
  new SecurityGroupSentry(stack, 'sentry', { name: 'audit', functionArchivePath: 'function.zip', ...props });
  return stack.toTerraform() as Json;
}

const one = (tf: Json, type: string): Json[] => Object.values(tf.resource[type] ?? {}) as Json[];

describe('the "could not be checked" alarm', () => {
  it("counts the function's could-not-check log lines in its log group", () => {
    // Act
    const tf = synthesize();

    // Assess
    const [filter] = one(tf, 'aws_cloudwatch_log_metric_filter');
    expect(filter).to.deep.include({
      name: 'audit-could-not-check',
      log_group_name: '/aws/lambda/audit',
      metric_transformation: { namespace: 'sg-sentry', name: 'EventsNotChecked', value: '1', unit: 'Count' },
    });
    expect(filter!.pattern).to.equal(`"${COULD_NOT_CHECK_MESSAGE}"`);
  });

  it('matches the line the function writes, as Lambda logs it', () => {
    // Prepare: the line for a real-shaped unreadable event, behind Lambda's text-format prefix
    const event = {
      eventId: 'e-1',
      eventName: 'AuthorizeSecurityGroupIngress' as const,
      principal: {},
      groupIds: [],
      problems: ['detail.requestParameters: expected an object'],
    };
    const line = JSON.stringify(couldNotCheckLogLine(event, couldNotCheckReport(event, 'no group')));
    const logged = `2026-12-01T14:00:00.000Z\tc0ffee00-0000-0000-0000-000000000000\tINFO\t${line}`;

    // Act
    const [filter] = one(synthesize(), 'aws_cloudwatch_log_metric_filter');
    const phrase = JSON.parse(filter!.pattern) as string;

    // Assess
    expect(logged.includes(phrase)).to.equal(true);
    expect(JSON.parse(line)).to.include({ level: 'error', message: COULD_NOT_CHECK_MESSAGE });
  });

  it("alarms, in one alarm, on the first such line or the first count of the function's CouldNotCheck metric, and notifies the topic", () => {
    // Act
    const tf = synthesize();

    // Assess
    const alarm = one(tf, 'aws_cloudwatch_metric_alarm').find((a) => a.alarm_name === 'audit-events-not-checked');
    expect(alarm).to.deep.include({ threshold: 0, comparison_operator: 'GreaterThanThreshold', treat_missing_data: 'notBreaching' });
    expect(alarm).not.to.have.any.keys('metric_name', 'namespace', 'period', 'statistic');
    const queries = alarm!.metric_query as Json[];
    const metrics = queries.filter((q) => q.metric).map((q) => ({ id: q.id, ...q.metric, return_data: q.return_data }));
    expect(metrics).to.have.deep.members([
      { id: 'not_checked_lines', namespace: 'sg-sentry', metric_name: 'EventsNotChecked', stat: 'Sum', period: 300, return_data: false },
      { id: 'could_not_check', namespace: 'sg-sentry', metric_name: 'CouldNotCheck', stat: 'Sum', period: 300, return_data: false },
    ]);
    const alarmed = queries.filter((q) => q.return_data === true);
    expect(alarmed).to.have.length(1);
    expect(alarmed[0]!.expression).to.equal('MAX([FILL(not_checked_lines, 0), FILL(could_not_check, 0)])');
    expect(alarm!.alarm_actions).to.have.length(1);
    const documents = Object.values(tf.data.aws_iam_policy_document) as Json[];
    const topicPolicy = documents.find((d) => String(d['//'].metadata.path).endsWith('/topic_policy_document'))!;
    const alarms = topicPolicy.statement.find((s: Json) => s.sid === 'PublishModuleAlarms');
    expect(JSON.stringify(alarms.condition)).to.contain(':alarm:audit-events-not-checked');
  });

  it('has no other alarm on those changes: one notification per change that could not be checked', () => {
    // Act
    const alarms = one(synthesize(), 'aws_cloudwatch_metric_alarm');

    // Assess
    const onThem = alarms.filter((a) => /EventsNotChecked|CouldNotCheck/.test(JSON.stringify(a)));
    expect(onThem.map((a) => a.alarm_name)).to.deep.equal(['audit-events-not-checked']);
  });
});
