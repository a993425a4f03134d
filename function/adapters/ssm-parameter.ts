/**
 * Reads an SSM SecureString (the Slack webhook URL) once per cold start. The promise is cached,
 * so concurrent and later callers share one GetParameter call; a failed read is not cached, so
 * the next invocation tries again instead of living with the failure until the next cold start.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { regionOfArn } from './sns-adapter';

type Sdk = typeof import('./ssm-sdk');
let sdkModule: Sdk | undefined;

/** Loaded here, not at the top: see ssm-sdk.ts. */
function sdk(): Sdk {
  sdkModule ??= require('./ssm-sdk') as Sdk;
  return sdkModule;
}

/** SSM could not give the value; the message names the parameter and what SSM said. */
export class ParameterReadError extends Error {
  override readonly name = 'ParameterReadError';
}

async function readParameter(client: SSMClient, name: string): Promise<string> {
  let value: string | undefined;
  try {
    const output = await client.send(new (sdk().GetParameterCommand)({ Name: name, WithDecryption: true }));
    value = output.Parameter?.Value;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    throw new ParameterReadError(`reading SSM parameter ${name} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, {
      cause: error,
    });
  }
  if (value === undefined || value.trim() === '') throw new ParameterReadError(`SSM parameter ${name} has no value`);
  return value;
}

/**
 * `name` is a parameter name or ARN; an ARN's region is used (a name is read in the function's
 * own region). The client is made on first use, so a function that never notifies never calls SSM.
 */
export function cachedSecureString(name: string, client?: SSMClient): () => Promise<string> {
  let pending: Promise<string> | undefined;
  let ssm = client;
  return () => {
    if (pending === undefined) {
      if (ssm === undefined) {
        const region = name.startsWith('arn:') ? regionOfArn(name) : undefined;
        ssm = new (sdk().SSMClient)(region ? { region } : {});
      }
      const read = readParameter(ssm, name);
      pending = read;
      read.catch(() => {
        if (pending === read) pending = undefined;
      });
    }
    return pending;
  };
}
