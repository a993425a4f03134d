/**
 * The state table: where the function keeps what must outlive one invocation (the exemptions the
 * sweep honours; one notification per event). DynamoDB on demand, partition key `id` (string),
 * expired items removed through the TTL attribute `expiration`, point-in-time recovery on, and
 * encrypted with the module's key or `kms_key_arn` when there is one (else DynamoDB's own key).
 */
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Condition, choose } from './terraform-values';

/** The table's key and TTL attribute: the function's state adapter and Powertools read these names. */
export const STATE_TABLE_KEY = 'id';
export const STATE_TABLE_TTL_ATTRIBUTE = 'expiration';

export interface StateTableProps {
  readonly name: string;
  /** Whether the table exists (`create_state_table`); decides a count, so known at plan. */
  readonly create: Condition;
  /** The key's ARN, or undefined for DynamoDB's own key. */
  readonly kmsKeyArn: string | undefined;
  readonly usesKey: Condition;
  readonly tags: { [key: string]: string } | undefined;
  readonly dependsOn: ITerraformDependable[];
}

export function stateTableName(name: string): string {
  return `${name}-state`;
}

export function stateTable(scope: Construct, id: string, props: StateTableProps): DynamodbTable {
  return new DynamodbTable(scope, id, {
    count: Token.asNumber(choose(props.create, 1, 0)),
    name: stateTableName(props.name),
    billingMode: 'PAY_PER_REQUEST',
    hashKey: STATE_TABLE_KEY,
    attribute: [{ name: STATE_TABLE_KEY, type: 'S' }],
    ttl: { attributeName: STATE_TABLE_TTL_ATTRIBUTE, enabled: true },
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: props.usesKey, kmsKeyArn: props.kmsKeyArn },
    tags: props.tags,
    dependsOn: props.dependsOn,
  });
}
