import { writeFileSync } from 'node:fs';
import { DEFAULT_POLICY_DOCUMENT } from '../function/core/policy/default-policy';
import { parseCommandArgs } from './args';
import { CliError, EXIT } from './errors';
import type { Io } from './io';
import { loadPolicyFile } from './policy-file';
import { messageOf } from '../function/core/errors';

export const POLICY_HELP = `Usage: sg-sentry policy default [--output FILE]
       sg-sentry policy validate FILE

  default         print the embedded policy (used when none is configured) as JSON;
                  a starting point for your own
  validate FILE   check a policy document; lists every problem with its JSON path

Options:
  -o, --output FILE  (default only) write the policy to FILE instead of stdout; an existing
                     FILE is replaced
  --debug            print stack traces of unexpected errors
  -h, --help         show this help

Exit status: 0 valid (or printed), 2 invalid policy or bad usage.
`;

export async function runPolicy(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('policy', args, { output: { type: 'string', short: 'o' } });
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    if (sub === undefined && !values.help) throw new CliError('policy: say `default` or `validate FILE` (see sg-sentry policy --help)');
    io.out(POLICY_HELP);
    return EXIT.ok;
  }
  switch (sub) {
    case 'default':
      if (rest.length > 0) throw new CliError(`policy default: unexpected argument ${rest[0]}`);
      if (values.output === undefined) {
        io.out(`${JSON.stringify(DEFAULT_POLICY_DOCUMENT, null, 2)}\n`);
        return EXIT.ok;
      }
      try {
        writeFileSync(values.output, `${JSON.stringify(DEFAULT_POLICY_DOCUMENT, null, 2)}\n`);
      } catch (error) {
        throw new CliError(`policy default: cannot write ${values.output}: ${messageOf(error)}`, undefined, { cause: error });
      }
      io.err(`wrote the embedded policy to ${values.output}\n`);
      return EXIT.ok;
    case 'validate': {
      if (values.output !== undefined) throw new CliError('policy validate: --output is for policy default');
      if (rest.length !== 1) throw new CliError('policy validate: name exactly one policy file (see sg-sentry policy --help)');
      const file = rest[0] as string;
      const { policy } = loadPolicyFile(file);
      io.out(
        `${file}: valid policy (mode ${policy.mode}, action ${policy.action}, ` +
          `${policy.document.ingress.allow.length} ingress and ${policy.document.egress.allow.length} egress allow entries, ` +
          `groups ${policy.groups === '*' ? '"*"' : [...policy.groups].join(', ')})\n`,
      );
      return EXIT.ok;
    }
    default:
      throw new CliError(`policy: unknown subcommand ${sub}; expected default or validate (see sg-sentry policy --help)`);
  }
}
