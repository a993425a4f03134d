/**
 * Thin wrapper over node:util `parseArgs`: strict, and its errors turned into usage errors that
 * name the command and the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors';
import { messageOf } from '../function/core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies Options;

export function parseCommandArgs<T extends Options>(command: string, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = messageOf(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new CliError(`${command}: unknown option ${flag} (see sg-sentry ${command} --help)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new CliError(`${command}: ${message.replace(/^Option /, 'option ')} (see sg-sentry ${command} --help)`);
    }
    throw error;
  }
}
