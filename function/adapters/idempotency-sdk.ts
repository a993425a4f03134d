/**
 * The Powertools idempotency utility and its DynamoDB persistence layer, in a module of their
 * own so that the notification gate loads them with `require` on first use: the bundle evaluates
 * them (and the DynamoDB commands they use) only after the revoke, when a notification is due.
 */
export {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
export { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
