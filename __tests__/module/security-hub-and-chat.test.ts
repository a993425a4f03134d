/**
 * The module with `security_hub = true` and one Slack and one Teams channel, planned offline
 * with terraform next to the same module without them: what the three inputs add (resources,
 * environment, IAM) is exactly what the README's permissions table and docs say.
 */
import { expect } from 'chai';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecurityGroupSentry, type SecurityGroupSentryProps } from '../../modules/security-group-sentry';
import { bareStack } from '../../modules/synthesize-module';
import { type PlannedResource, type TerraformResult, initOffline, planOffline, terraform } from './support/terraform';
import { REPO_ROOT, synthesizedWorkspace } from './support/workspace';

const FIXTURES = join(__dirname, 'fixtures', 'terraform');
const SLACK = { workspace_id: 'T0123ABCDEF', channel_id: 'C0123ABCDEF' };
const TEAMS = {
  team_id: '11111111-2222-3333-4444-555555555555',
  channel_id: '19%3aa%40thread.tacv2',
  tenant_id: '66666666-7777-8888-9999-000000000000',
};
const WITH = 'module.sg_sentry';
const PLAIN = 'module.sg_sentry_plain';

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const inInstance = (plan: PlannedResource[], instance: string) => plan.filter((r) => r.address.startsWith(`${instance}.`));
const creates = (plan: PlannedResource[]) => plan.filter((r) => r.mode === 'managed' && r.actions.includes('create'));
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function rolePolicy(plan: PlannedResource[], instance: string): Statement[] {
  const policy = inInstance(plan, instance).find((r) => r.type === 'aws_iam_role_policy');
  return (JSON.parse(String(policy?.after.policy)) as { Statement: Statement[] }).Statement;
}

/** The README's table of the function's IAM statements: Sid → actions. */
function readmePermissions(): Record<string, string[]> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('### IAM permissions of the function')[1]?.split('\n### ')[0] ?? '';
  return Object.fromEntries(
    [...section.matchAll(/^\| `([A-Za-z]+)` \| ([^|]+) \|/gm)].map((row) => [
      row[1]!,
      [...row[2]!.matchAll(/`([^`]+)`/g)].map((a) => a[1]!),
    ]),
  );
}

describe('the module with Security Hub and AWS chat channels (offline plan)', function () {
  this.timeout(600_000);
  let plan: PlannedResource[];
  let invalid: TerraformResult;
  let nameTooLong: TerraformResult;

  before(async () => {
    // Prepare: the fixtures next to a fresh synthesis of the module.
    const { root } = synthesizedWorkspace();
    const fixture = (name: string) => {
      const dir = join(root, 'fixtures', 'terraform', name);
      cpSync(join(FIXTURES, name), dir, { recursive: true });
      return dir;
    };
    const [valid, invalidChannels, longName] = [
      fixture('security-hub-and-chat'),
      fixture('invalid-chat-channels'),
      fixture('chat-name-too-long'),
    ];
    await initOffline(valid);
    await initOffline(invalidChannels);
    await initOffline(longName);

    // Act
    [plan, invalid, nameTooLong] = await Promise.all([
      planOffline(valid),
      terraform(invalidChannels, ['plan', '-refresh=false', '-no-color']),
      terraform(longName, ['plan', '-refresh=false', '-no-color']),
    ]);
  });

  it("adds the chat topic, its policy, the channels' role and one configuration per channel, and nothing else", () => {
    const added = creates(inInstance(plan, WITH)).map((r) => `${r.type}.${r.name}`);
    const plain = creates(inInstance(plan, PLAIN)).map((r) => `${r.type}.${r.name}`);

    expect(added.filter((a) => !plain.includes(a)).sort()).to.deep.equal([
      'aws_chatbot_slack_channel_configuration.chat_slack_channel',
      'aws_chatbot_teams_channel_configuration.chat_teams_channel',
      'aws_iam_role.chat_role',
      'aws_sns_topic.chat_topic',
      'aws_sns_topic_policy.chat_topic_policy',
    ]);
    expect(plain.filter((a) => !added.includes(a))).to.deep.equal([]);
  });

  it("subscribes each channel to the chat topic only, with the channels' role and the read-only guardrail", () => {
    const mine = inInstance(plan, WITH);
    const slack = mine.find((r) => r.type === 'aws_chatbot_slack_channel_configuration')!;
    const teams = mine.find((r) => r.type === 'aws_chatbot_teams_channel_configuration')!;
    const role = mine.find((r) => r.type === 'aws_iam_role' && r.name === 'chat_role')!;

    expect(slack.after).to.include({
      slack_team_id: 'T0123ABCDEF',
      slack_channel_id: 'C0123ABCDEF',
      configuration_name: 'sg-sentry-eu-west-1-C0123ABCDEF',
    });
    expect(teams.after).to.include({ team_id: '11111111-2222-3333-4444-555555555555', tenant_id: '66666666-7777-8888-9999-000000000000' });
    expect(String(teams.after.configuration_name)).to.match(/^sg-sentry-eu-west-1-teams-[0-9a-f]{12}$/);
    for (const channel of [slack, teams]) {
      expect(channel.after.sns_topic_arns).to.deep.equal(['arn:aws:sns:eu-west-1:111122223333:sg-sentry-chat']);
      expect(channel.after.guardrail_policy_arns).to.deep.equal(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    }
    expect(JSON.parse(String(role.after.assume_role_policy)).Statement).to.deep.equal([
      { Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(mine.filter((r) => r.type === 'aws_iam_role_policy').map((r) => r.name)).to.deep.equal(['role_policy']);
  });

  it('lets only the function publish to the chat topic, over TLS', () => {
    const policy = inInstance(plan, WITH).find((r) => r.type === 'aws_sns_topic_policy' && r.name === 'chat_topic_policy')!;
    const statements = (JSON.parse(String(policy.after.policy)) as { Statement: Statement[] }).Statement;

    expect(statements.map((s) => [s.Sid, s.Effect, s.Principal])).to.deep.equal([
      ['PublishFromTheFunction', 'Allow', { AWS: 'arn:aws:iam::111122223333:role/sg-sentry-eu-west-1' }],
      ['DenyPublishWithoutTls', 'Deny', { AWS: '*' }],
    ]);
  });

  it('sets SENTRY_SECURITY_HUB and SENTRY_CHAT_TOPIC_ARN, only where the inputs ask', () => {
    const variables = (instance: string) =>
      (
        inInstance(plan, instance).find((r) => r.type === 'aws_lambda_function')!.after.environment as Array<{
          variables: Record<string, string>;
        }>
      )[0]!.variables;

    expect(variables(WITH)).to.include({
      SENTRY_SECURITY_HUB: 'true',
      SENTRY_CHAT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:sg-sentry-chat',
    });
    expect(variables(PLAIN)).to.not.have.any.keys('SENTRY_SECURITY_HUB', 'SENTRY_CHAT_TOPIC_ARN');
  });

  it("adds exactly the IAM statements the README's permissions table lists for them, with the same actions", () => {
    // Prepare
    const withInputs = rolePolicy(plan, WITH);
    const plainSids = rolePolicy(plan, PLAIN).map((s) => s.Sid);
    const readme = readmePermissions();

    // Act
    const added = withInputs.filter((s) => !plainSids.includes(s.Sid));

    // Assess
    expect(added.map((s) => s.Sid).sort()).to.deep.equal(['ImportSecurityHubFindings', 'PublishChatNotifications']);
    for (const statement of added) expect(readme[statement.Sid], statement.Sid).to.deep.equal(list(statement.Action));
    const bySid = Object.fromEntries(added.map((s) => [s.Sid, s]));
    expect(bySid.ImportSecurityHubFindings).to.deep.include({
      Resource: 'arn:aws:securityhub:*:111122223333:product/111122223333/default',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    });
    expect(bySid.PublishChatNotifications?.Resource).to.equal('arn:aws:sns:eu-west-1:111122223333:sg-sentry-chat');
  });

  it('rejects a channel id that is not one, and a channel listed twice, at plan time', () => {
    const output = (invalid.stderr + invalid.stdout).replace(/\s+/g, ' ');

    expect(invalid.code).not.to.equal(0);
    expect(output).to.contain(
      'Every chat_slack_channels entry needs a workspace_id (capital letters and digits, T0123ABCDEF) and a channel_id',
    );
    expect(output).to.contain('Every chat_teams_channels entry needs a team_id and a tenant_id (GUIDs)');
  });

  it("fails the plan, naming the limit, when the channels' role name <name>-chat-<region> would exceed IAM's 64 characters", () => {
    // Assess
    const output = (nameTooLong.stderr + nameTooLong.stdout).replace(/\s+/g, ' ');
    expect(nameTooLong.code).not.to.equal(0);
    expect(output).to.contain(
      'With chat_slack_channels or chat_teams_channels, the role of the channel configurations is named <name>-chat-<region>, which IAM allows 64 characters',
    );
    expect(output).to.contain('sg-sentry-production-network-guard-eu-platform-a-chat-ap-southeast-1');
  });
});

/** Synthesizes one construct in a bare stack with plain values. */
function synthesize(props: Partial<SecurityGroupSentryProps>): Record<string, any> {
  const stack = bareStack('test');
  new SecurityGroupSentry(stack, 'sentry', { name: 'sg-sentry', functionArchivePath: 'function.zip', ...props });
  return stack.toTerraform() as Record<string, any>;
}

const roleSids = (tf: Record<string, any>) =>
  (Object.values(tf.data.aws_iam_policy_document) as Array<Record<string, any>>)
    .find((d) => String(d['//'].metadata.path).endsWith('/role_policy_document'))!
    .statement.map((s: { sid: string }) => s.sid) as string[];

const environment = (tf: Record<string, any>) =>
  (Object.values(tf.resource.aws_lambda_function)[0] as { environment: { variables: Record<string, string> } }).environment.variables;

describe('Security Hub and AWS chat in the construct, with plain values', () => {
  it('creates nothing of them and grants nothing for them by default', () => {
    // Act
    const tf = synthesize({});

    // Assess
    expect(roleSids(tf).filter((sid) => ['ImportSecurityHubFindings', 'PublishChatNotifications'].includes(sid))).to.deep.equal([]);
    const chatTopic = (Object.values(tf.resource.aws_sns_topic) as Array<{ name: string; count: number }>).find(
      (t) => t.name === 'sg-sentry-chat',
    );
    expect(chatTopic?.count).to.equal(0);
    expect(environment(tf)).to.not.have.any.keys('SENTRY_SECURITY_HUB', 'SENTRY_CHAT_TOPIC_ARN');
  });

  it('decides the statements at synth time: security_hub adds the import, a channel adds the chat topic', () => {
    const hub = synthesize({ securityHub: true });
    const chat = synthesize({ chatTeamsChannels: [TEAMS] });

    expect(roleSids(hub)).to.include('ImportSecurityHubFindings').and.not.include('PublishChatNotifications');
    expect(roleSids(chat)).to.include('PublishChatNotifications').and.not.include('ImportSecurityHubFindings');
    expect(environment(hub)).to.include({ SENTRY_SECURITY_HUB: 'true' });
    expect(environment(chat))
      .to.have.property('SENTRY_CHAT_TOPIC_ARN')
      .that.matches(/:sns:.*:sg-sentry-chat$/);
  });

  it("writes the channel configurations' for_each as a plain map by channel id, empty without channels", () => {
    // Act
    const none = synthesize({});
    const one = synthesize({ chatTeamsChannels: [TEAMS] });

    // Assess
    const forEach = (tf: Record<string, any>, type: string) =>
      (Object.values(tf.resource[type]) as Array<{ for_each: unknown }>)[0]?.for_each;
    expect(forEach(none, 'aws_chatbot_slack_channel_configuration')).to.deep.equal({});
    expect(forEach(none, 'aws_chatbot_teams_channel_configuration')).to.deep.equal({});
    expect(forEach(one, 'aws_chatbot_teams_channel_configuration')).to.deep.equal({ [TEAMS.channel_id]: TEAMS });
  });

  it('rejects plain channel values the module would reject, naming them', () => {
    expect(() => synthesize({ chatSlackChannels: [{ ...SLACK, channel_id: '#general' }] })).to.throw(
      /chatSlackChannels .*#general.*: Every chat_slack_channels entry/,
    );
    expect(() => synthesize({ chatTeamsChannels: [TEAMS, TEAMS] })).to.throw(
      /chatTeamsChannels .*: Every chat_teams_channels entry .*each channel once/,
    );
    expect(() => synthesize({ chatSlackChannels: [SLACK], chatTeamsChannels: [TEAMS] })).to.not.throw();
  });
});
