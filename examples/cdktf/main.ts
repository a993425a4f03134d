/**
 * sg-sentry inside a cdktf stack of your own: the `SecurityGroupSentry` construct with plain
 * values, next to the provider and whatever else the stack holds.
 *
 *   npm run build && npx tsx examples/cdktf/main.ts     # writes cdktf.out/stacks/security
 */
import { join } from 'node:path';
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { functionArchiveAsset } from '../../modules/function-archive';
import { SecurityGroupSentry } from '../../modules/security-group-sentry';

export interface SecurityStackProps {
  readonly region: string;
  /** dist/function/index.js, from `npm run build`. */
  readonly bundleFile: string;
  /** Guard this region too, with the same name, through a provider of its own. */
  readonly secondRegion?: string;
}

export class SecurityStack extends TerraformStack {
  readonly sentry: SecurityGroupSentry;
  readonly secondSentry?: SecurityGroupSentry;

  constructor(scope: Construct, id: string, props: SecurityStackProps) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: props.region, defaultTags: [{ tags: { team: 'platform-security' } }] });

    this.sentry = new SecurityGroupSentry(this, 'sg-sentry', {
      name: 'sg-sentry',
      functionArchivePath: functionArchiveAsset(this, 'function-archive', props.bundleFile).path,
      // Start in report mode; omitted keys take the embedded default policy's values.
      policy: JSON.stringify({
        mode: 'report',
        exempt_principals: ['arn:aws:iam::111122223333:role/terraform-deployer'],
      }),
      notificationEmails: ['secops@example.com'],
      slackWebhookSsmParameter: '/sg-sentry/slack-webhook-url',
      sweepSchedule: 'rate(6 hours)',
      logRetentionDays: 30,
    });

    if (props.secondRegion) {
      // The role is named after the region, so the same name works in both.
      const provider = new AwsProvider(this, 'aws_second_region', { region: props.secondRegion, alias: 'second_region' });
      this.secondSentry = new SecurityGroupSentry(this, 'sg-sentry-second-region', {
        name: 'sg-sentry',
        functionArchivePath: functionArchiveAsset(this, 'function-archive-second-region', props.bundleFile).path,
        notificationEmails: ['secops@example.com'],
        provider,
      });
    }

    new TerraformOutput(this, 'sns_topic_arn', { value: this.sentry.topicArn });
    new TerraformOutput(this, 'lambda_function_name', { value: this.sentry.function.functionName });
  }
}

/** Synthesizes the app into `outdir` (cdktf.out/stacks/security/cdk.tf.json and its assets). */
export function synthesizeExample(outdir: string, region = 'eu-west-1'): void {
  const app = new App({ outdir });
  new SecurityStack(app, 'security', { region, bundleFile: join(__dirname, '..', '..', 'dist', 'function', 'index.js') });
  app.synth();
}

if (require.main === module) {
  synthesizeExample('cdktf.out', process.env.AWS_REGION);
}
