/**
 * The `sg-sentry` command line: dispatch, and the one place errors become messages and exit
 * codes. A stack trace is printed only with --debug.
 */
import { version } from '../package.json';
import { CHECK_HELP, runCheck } from './check';
import { CliError, errorText, EXIT } from './errors';
import type { Io } from './io';
import { POLICY_HELP, runPolicy } from './policy-command';
import { SCAN_HELP, runScan } from './scan';
import { SMOKE_TEST_HELP, runSmokeTest } from './smoke-test';
import { messageOf } from '../function/core/errors';

const HELP = `sg-sentry ${version}: keeps AWS security groups inside an allowlist policy.

Usage: sg-sentry <command> [options]

Commands:
  check [--policy FILE] [--format text|json|sarif] INPUT...
        judge recorded CloudTrail events (files, directories, - for stdin) against a
        policy, offline
  scan [--policy FILE] [--regions R1,R2|all] [--profile P] [--fix] [--format text|json|sarif]
        judge the rules that exist in an account (read-only unless --fix)
  policy default [--output FILE] | validate FILE
        print (or write) the embedded policy, or check a policy file
  smoke-test [--name NAME] [--region R] [--no-invoke]
        check a deployed instance: its rule, function, topic, and a harmless invocation

Run sg-sentry <command> --help for a command's options.

Global options:
  --debug        print stack traces of unexpected errors
  -h, --help     show this help
  --version      print the version

Exit status: 0 ok, 1 violations, 2 bad input or usage, 3 an AWS call failed.
`;

const COMMANDS: Readonly<Record<string, { run: (args: readonly string[], io: Io) => Promise<number>; help: string }>> = {
  check: { run: runCheck, help: CHECK_HELP },
  scan: { run: (args, io) => runScan(args, io), help: SCAN_HELP },
  policy: { run: runPolicy, help: POLICY_HELP },
  'smoke-test': { run: (args, io) => runSmokeTest(args, io), help: SMOKE_TEST_HELP },
};

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(HELP);
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') {
    io.out(HELP);
    return EXIT.ok;
  }
  if (first === '--version') {
    io.out(`${version}\n`);
    return EXIT.ok;
  }
  if (first === 'help') {
    const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
    if (rest[0] !== undefined && topic === undefined)
      throw new CliError(`help: unknown command ${rest[0]} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    io.out(topic?.help ?? HELP);
    return EXIT.ok;
  }
  if (first === '--debug') return dispatch(rest, io);
  if (first.startsWith('-')) throw new CliError(`unknown option ${first} before the command (see sg-sentry --help)`);
  const command = COMMANDS[first];
  if (command === undefined)
    throw new CliError(`unknown command ${first} (commands: ${Object.keys(COMMANDS).join(', ')}; see sg-sentry --help)`);
  return command.run(rest, io);
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(errorText(error, debug));
      return error.exitCode;
    }
    const message = messageOf(error);
    io.err(`sg-sentry: unexpected error: ${message}\n`);
    io.err(debug && error instanceof Error ? `${error.stack}\n` : 'run again with --debug for the stack trace\n');
    return EXIT.aws;
  }
}
