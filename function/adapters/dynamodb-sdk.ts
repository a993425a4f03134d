/**
 * The DynamoDB part of the SDK that sg-sentry uses, in a module of its own so that the state
 * table loads it with `require` on first use: the bundle evaluates it only after the revoke,
 * and imports only these commands, so the rest of the client is tree-shaken away.
 */
export { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
