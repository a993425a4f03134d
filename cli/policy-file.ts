import { loadPolicy, parsePolicy, PolicyValidationError, type Policy } from '../function/core/policy/policy';
import { CliError } from './errors';
import { readJsonFile } from './files';

export interface LoadedPolicy {
  readonly policy: Policy;
  /** The file, or `embedded default policy`. */
  readonly source: string;
}

function invalid(file: string, error: PolicyValidationError): CliError {
  return new CliError(`${file}: ${error.message}`, undefined, { cause: error });
}

/** The policy in `file` (every problem listed when invalid), or the embedded default. */
export function loadPolicyFile(file: string | undefined): LoadedPolicy {
  if (file === undefined) return { policy: loadPolicy(undefined), source: 'embedded default policy' };
  const document = readJsonFile(file);
  try {
    return { policy: parsePolicy(document), source: file };
  } catch (error) {
    if (error instanceof PolicyValidationError) throw invalid(file, error);
    throw error;
  }
}

/** The same policy with another mode: `check` and a scan without --fix never change anything. */
export function withMode(policy: Policy, mode: Policy['mode']): Policy {
  return policy.mode === mode ? policy : parsePolicy({ ...policy.document, mode });
}
