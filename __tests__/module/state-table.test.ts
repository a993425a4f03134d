/**
 * The state table the module creates for the function: its shape (the key and TTL attribute
 * the function's adapter uses), its protection, and the least privilege that goes with it.
 */
import { expect } from 'chai';
import { ENV } from '../../function/core/env-names';
import { exemptionKey } from '../../function/adapters/state-table';
import { SecurityGroupSentry, SecurityGroupSentryProps } from '../../modules/security-group-sentry';
import { bareStack } from '../../modules/synthesize-module';

type Json = Record<string, any>;

function synthesize(props: Partial<SecurityGroupSentryProps>): Json {
  const stack = bareStack('test');
  new SecurityGroupSentry(stack, 'sentry', { name: 'sg-sentry', functionArchivePath: 'function.zip', ...props });
  return stack.toTerraform() as Json;
}

const tables = (tf: Json) => Object.values(tf.resource.aws_dynamodb_table ?? {}) as Json[];
const statements = (tf: Json) => {
  const documents = Object.values(tf.data.aws_iam_policy_document) as Json[];
  return documents.find((d) => String(d['//'].metadata.path).endsWith('/role_policy_document'))!.statement as Json[];
};
const environment = (tf: Json) =>
  (Object.values(tf.resource.aws_lambda_function) as Json[])[0]!.environment.variables as Record<string, string>;

describe('the state table', () => {
  it("is created by default: on demand, key id (string), TTL on expiration, point-in-time recovery, the module's key", () => {
    // Act
    const tf = synthesize({});

    // Assess
    const [table] = tables(tf);
    expect(table).to.deep.include({
      count: 1,
      name: 'sg-sentry-state',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'id',
      attribute: [{ name: 'id', type: 'S' }],
      ttl: { attribute_name: 'expiration', enabled: true },
      point_in_time_recovery: { enabled: true },
    });
    expect(table!.server_side_encryption.enabled).to.equal(true);
    expect(table!.server_side_encryption.kms_key_arn).to.match(/aws_kms_key\.sentry_key_[0-9A-F]+\[\*\]\.arn/);
    // The adapter's items start with the prefix the module documents.
    expect(exemptionKey({ account: '1', region: 'r', ruleId: 'sgr-1' })).to.match(/^exempt#/);
  });

  it('uses kms_key_arn when given', () => {
    // Act
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const tf = synthesize({ kmsKeyArn: key });

    // Assess
    expect(tables(tf)[0]!.server_side_encryption).to.deep.equal({ enabled: true, kms_key_arn: key });
    const use = statements(tf).find((s) => s.sid === 'UseKeyOfStateTable');
    expect(use).to.deep.include({ resources: [key] });
    expect(use!.condition.map((c: Json) => [c.test, c.variable])).to.deep.equal([['StringEquals', 'kms:ViaService']]);
    expect(use!.condition[0].values).to.have.length(1);
    expect(use!.condition[0].values[0]).to.match(/^dynamodb\.\$\{local\.[\w]*region[\w]*\}\.amazonaws\.com$/);
  });

  it('grants exactly the batch calls of remembered exemptions and the item calls of one notification per event on that table, and passes its name as SENTRY_STATE_TABLE', () => {
    // Act
    const tf = synthesize({});

    // Assess
    const grant = statements(tf).find((s) => s.sid === 'RememberExemptionsInStateTable');
    expect(grant!.actions).to.deep.equal(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    expect(grant!.resources).to.have.length(1);
    expect(grant!.resources[0]).to.match(
      /^arn:\$\{local\.\w*partition\w*\}:dynamodb:\$\{local\.\w*region\w*\}:\$\{local\.\w*account_id\w*\}:table\/sg-sentry-state$/,
    );
    const once = statements(tf).find((s) => s.sid === 'SendEachNotificationOnce');
    expect(once!.resources).to.deep.equal(grant!.resources);
    expect(
      statements(tf)
        .flatMap((s) => s.actions as string[])
        .filter((a) => a.startsWith('dynamodb:')),
    ).to.deep.equal([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(environment(tf)[ENV.stateTable]).to.equal('sg-sentry-state');
  });

  it('is left out with createStateTable false: no table, no DynamoDB or key permission for it, no variable', () => {
    // Act
    const tf = synthesize({ createStateTable: false });

    // Assess
    expect(tables(tf).map((t) => t.count)).to.deep.equal([0]);
    expect(statements(tf).map((s) => s.sid)).to.not.include.members([
      'RememberExemptionsInStateTable',
      'SendEachNotificationOnce',
      'UseModuleKeyOfStateTable',
    ]);
    expect(environment(tf)).to.not.have.property(ENV.stateTable);
  });
});
