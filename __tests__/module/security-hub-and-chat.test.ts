/**
 * The module with `security_hub = true`, planned offline with terraform next to the same module
 * without it: what the input adds (environment, IAM) is exactly what the README's permissions
 * table and docs say.
 */
import { expect } from 'chai';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecurityGroupSentry, type SecurityGroupSentryProps } from '../../modules/security-group-sentry';
import { bareStack } from '../../modules/synthesize-module';
import { type PlannedResource, initOffline, planOffline } from './support/terraform';
import { REPO_ROOT, synthesizedWorkspace } from './support/workspace';

const FIXTURES = join(__dirname, 'fixtures', 'terraform');
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
    [...section.matchAll(/^\| `([A-Za-z]+)` \| ([^|]+) \|/gm)].map((row) => [row[1]!, [...row[2]!.matchAll(/`([^`]+)`/g)].map((a) => a[1]!)]),
  );
}

describe('the module with Security Hub (offline plan)', function () {
  this.timeout(600_000);
  let plan: PlannedResource[];

  before(async () => {
    // Prepare: the fixtures next to a fresh synthesis of the module.
    const { root } = synthesizedWorkspace();
    const fixture = (name: string) => {
      const dir = join(root, 'fixtures', 'terraform', name);
      cpSync(join(FIXTURES, name), dir, { recursive: true });
      return dir;
    };
    const valid = fixture('security-hub-and-chat');
    await initOffline(valid);

    // Act
    plan = await planOffline(valid);
  });

  it('sets SENTRY_SECURITY_HUB, only where the input asks, and creates nothing more', () => {
    const variables = (instance: string) =>
      (inInstance(plan, instance).find((r) => r.type === 'aws_lambda_function')!.after.environment as Array<{ variables: Record<string, string> }>)[0]!.variables;

    expect(variables(WITH)).to.include({ SENTRY_SECURITY_HUB: 'true' });
    expect(variables(PLAIN)).to.not.have.any.keys('SENTRY_SECURITY_HUB');
    const kinds = (instance: string) => creates(inInstance(plan, instance)).map((r) => `${r.type}.${r.name}`).sort();
    expect(kinds(WITH)).to.deep.equal(kinds(PLAIN));
  });

  it('adds exactly the IAM statement the README\'s permissions table lists for it, with the same actions', () => {
    // Prepare
    const withInputs = rolePolicy(plan, WITH);
    const plainSids = rolePolicy(plan, PLAIN).map((s) => s.Sid);
    const readme = readmePermissions();

    // Act
    const added = withInputs.filter((s) => !plainSids.includes(s.Sid));

    // Assess
    expect(added.map((s) => s.Sid)).to.deep.equal(['ImportSecurityHubFindings']);
    for (const statement of added) expect(readme[statement.Sid], statement.Sid).to.deep.equal(list(statement.Action));
    const bySid = Object.fromEntries(added.map((s) => [s.Sid, s]));
    expect(bySid.ImportSecurityHubFindings).to.deep.include({
      Resource: 'arn:aws:securityhub:*:111122223333:product/111122223333/default',
      Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    });
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

describe('Security Hub in the construct, with plain values', () => {
  it('grants nothing for it and sets nothing by default', () => {
    // Act
    const tf = synthesize({});

    // Assess
    expect(roleSids(tf)).to.not.include('ImportSecurityHubFindings');
    expect(environment(tf)).to.not.have.any.keys('SENTRY_SECURITY_HUB');
  });

  it('decides the statement at synth time: security_hub adds the import and its variable', () => {
    const hub = synthesize({ securityHub: true });

    expect(roleSids(hub)).to.include('ImportSecurityHubFindings');
    expect(environment(hub)).to.include({ SENTRY_SECURITY_HUB: 'true' });
  });
});
