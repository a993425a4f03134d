/**
 * Slack and Microsoft Teams through Amazon Q Developer in chat applications (formerly AWS
 * Chatbot): the chat topic the function publishes its custom notifications to, one channel
 * configuration per channel subscribed to it, and the configurations' role. The service drops
 * plain SNS messages, so these channels get only the chat topic, never the notification topic.
 *
 * The role has no permissions of its own and the AWS-managed ReadOnlyAccess as the channels'
 * guardrail: the notifications need nothing, and whatever a channel member runs from the chat
 * can at most read.
 */
import { Fn, Op, TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ChatbotSlackChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-slack-channel-configuration';
import { ChatbotTeamsChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-teams-channel-configuration';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import type { IResolvable, ITerraformDependable } from 'cdktf';
import type { SlackChannel, TeamsChannel } from './inputs';
import { CHAT_TOPIC_PERMISSIONS, policyDocument } from './permissions';
import { Condition, choose, isToken, singleInstance } from './terraform-values';

/** The chat topic's name: the notification topic's with `-chat`. */
export const chatTopicName = (name: string) => `${name}-chat`;

/** The guardrail of every channel: at most read, whatever the channel's role could do. */
export const CHAT_GUARDRAIL_POLICY = 'ReadOnlyAccess';
/** IAM's limit on a role name. */
const IAM_ROLE_NAME_MAX = 64;

type Channels<T> = readonly T[] | IResolvable;

/** At least one channel, Slack or Teams: decides the counts (so the lists must be known at plan). */
export function hasChatChannels(slack: Channels<SlackChannel>, teams: Channels<TeamsChannel>): Condition {
  if (!isToken(slack) && !isToken(teams)) return (slack as readonly unknown[]).length + (teams as readonly unknown[]).length > 0;
  return Op.gte(Op.add(Fn.lengthOf(slack), Fn.lengthOf(teams)), 1);
}

/**
 * One configuration per channel, keyed by its channel id. A token (the module's variable) becomes
 * a `for` expression; a plain list (a cdktf app) a plain map, since cdktf cannot write an empty
 * plain list into that expression.
 */
function byChannelId<T extends { readonly channel_id: string }>(channels: Channels<T>) {
  if (isToken(channels)) return TerraformIterator.fromComplexList(Token.asAny(channels), 'channel_id');
  return TerraformIterator.fromMap(Object.fromEntries((channels as readonly T[]).map((c) => [c.channel_id, { ...c }])));
}

export interface ChatChannelsProps {
  readonly name: string;
  readonly create: Condition;
  readonly slackChannels: Channels<SlackChannel>;
  readonly teamsChannels: Channels<TeamsChannel>;
  readonly partition: string;
  readonly region: string;
  /** The chat topic's ARN, built from its name. */
  readonly topicArn: string;
  /** The notification topic's key (an alias or ARN), so the chat topic is encrypted alike. */
  readonly kmsMasterKeyId: string;
  /** The function's role, the only publisher. */
  readonly functionRoleArn: string;
  readonly rolePath: string;
  readonly rolePermissionsBoundaryArn?: string;
  readonly tags?: { [key: string]: string };
  readonly dependsOn: ITerraformDependable[];
}

export function createChatChannels(scope: Construct, props: ChatChannelsProps): { readonly topic: SnsTopic; readonly role: IamRole } {
  const count = Token.asNumber(choose(props.create, 1, 0));
  const topic = new SnsTopic(scope, 'chat_topic', {
    count,
    name: chatTopicName(props.name),
    displayName: 'sg-sentry chat',
    kmsMasterKeyId: props.kmsMasterKeyId,
    tags: props.tags,
    dependsOn: props.dependsOn,
  });
  new SnsTopicPolicy(scope, 'chat_topic_policy', {
    count,
    arn: singleInstance(topic, 'arn'),
    policy: policyDocument(scope, 'chat_topic_policy_document', CHAT_TOPIC_PERMISSIONS, {
      topicArn: props.topicArn,
      roleArn: props.functionRoleArn,
    }).json,
  });

  const roleName = `${props.name}-chat-${props.region}`;
  const role = new IamRole(scope, 'chat_role', {
    count,
    name: roleName,
    path: props.rolePath,
    permissionsBoundary: props.rolePermissionsBoundaryArn,
    description: `sg-sentry ${props.name}: the role of its Slack and Teams channel configurations (no permissions; read-only guardrail)`,
    assumeRolePolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
    tags: props.tags,
    // A name of up to 48 characters fits every other name, but not this one in every region:
    // the plan says so instead of IAM at apply.
    lifecycle: {
      precondition: [
        {
          condition: Op.lte(Fn.lengthOf(roleName), IAM_ROLE_NAME_MAX),
          errorMessage: `With chat_slack_channels or chat_teams_channels, the role of the channel configurations is named <name>-chat-<region>, which IAM allows ${IAM_ROLE_NAME_MAX} characters: ${roleName} is longer; shorten name.`,
        },
      ],
    },
  });
  const roleArn = singleInstance(role, 'arn');
  const channel = {
    iamRoleArn: roleArn,
    snsTopicArns: [props.topicArn],
    guardrailPolicyArns: [`arn:${props.partition}:iam::aws:policy/${CHAT_GUARDRAIL_POLICY}`],
    tags: props.tags,
    dependsOn: [topic],
  };

  const slack = byChannelId(props.slackChannels);
  new ChatbotSlackChannelConfiguration(scope, 'chat_slack_channel', {
    forEach: slack,
    // Channel configurations are global to the account: the region keeps two regions' apart.
    configurationName: `${props.name}-${props.region}-${slack.key}`,
    slackTeamId: slack.getString('workspace_id'),
    slackChannelId: slack.getString('channel_id'),
    ...channel,
  });
  const teams = byChannelId(props.teamsChannels);
  new ChatbotTeamsChannelConfiguration(scope, 'chat_teams_channel', {
    forEach: teams,
    // A Teams channel id (19%3a…%40thread.tacv2) has characters a configuration name may not.
    configurationName: `${props.name}-${props.region}-teams-${Fn.substr(Fn.md5(Token.asString(teams.key)), 0, 12)}`,
    teamId: teams.getString('team_id'),
    channelId: teams.getString('channel_id'),
    tenantId: teams.getString('tenant_id'),
    ...channel,
  });
  return { topic, role };
}
